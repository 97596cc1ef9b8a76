// guidesmith widgets (see issue 3)
