//! Stage 4, render: the [`theme`]'s Tera templates filled with typed views of the site
//! ([`pages`]), with structured data ([`jsonld`]).

pub mod jsonld;
pub mod pages;
pub mod plain_text;
pub mod theme;
