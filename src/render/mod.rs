//! Stage 4, render: the [`theme`]'s Tera templates filled with typed views of the site
//! ([`pages`]), with structured data ([`jsonld`]) and the notices above a guide ([`notices`]).

pub mod jsonld;
pub mod notices;
pub mod pages;
pub mod plain_text;
pub mod theme;
