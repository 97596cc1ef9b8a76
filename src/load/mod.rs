//! Stage 1, load: `site.toml` into a [`config::SiteConfig`], the site's folders walked with one
//! rule for links ([`site_walk`]), and every guide file read ([`file_reads`]) and parsed
//! ([`content`], [`front_matter`]) into a [`crate::model::guide::Guide`], within the caps of
//! [`limits`].

pub mod config;
pub mod content;
pub mod file_reads;
pub mod front_matter;
pub mod limits;
pub mod site_walk;
