//! Stage 1, load: `site.toml` into a [`crate::model::config::SiteConfig`], the site's folders
//! walked with one rule for links ([`site_walk`]), and every guide file read ([`file_reads`]),
//! parsed ([`content`], [`front_matter`]) into a [`crate::model::guide::Guide`] within the caps
//! of [`limits`], and checked on its own ([`validate`]: ids filled in and unique, slugs safe);
//! undated guides get their file's last change ([`file_dates`]).

pub mod content;
pub mod file_dates;
pub mod file_reads;
pub mod front_matter;
pub mod limits;
pub mod site_walk;
pub mod validate;
