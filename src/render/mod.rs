//! Stage 4, render: the [`theme`]'s Tera templates filled with typed views of the site
//! ([`pages`]), with structured data ([`jsonld`]), the notices above a guide ([`notices`]), its
//! series ([`series`]) and its "On this page" list ([`contents`]).

pub mod contents;
pub mod jsonld;
pub mod notices;
pub mod pages;
pub mod plain_text;
pub mod series;
pub mod theme;
