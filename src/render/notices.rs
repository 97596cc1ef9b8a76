//! The notices above a guide's body: the site's `[[notices]]` that match the guide, then the
//! guide's own, in the order they are written.

use crate::model::notice::NoticeView;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::Site;
use crate::prepare::citations::CitableSources;
use crate::prepare::markdown::render_fragment;

/// Every notice `g` shows.
pub(crate) fn guide_notices(site: &Site, g: &PreparedGuide) -> Vec<NoticeView> {
    site.config
        .notices
        .iter()
        .filter(|n| n.scope.includes(&g.guide.front.tags))
        .map(|n| NoticeView {
            kind: n.kind,
            title: n.title.clone(),
            body: render_fragment(&n.body, &site.base_path, &CitableSources::NONE).html,
        })
        .chain(g.notices.iter().cloned())
        .collect()
}
