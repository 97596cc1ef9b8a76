//! guidesmith: a static site generator for practical, step-by-step guides.
//!
//! Data flows one way through named stages, one folder each; [`pipeline`] runs them, and every
//! command ([`commands`]) is a client of it:
//!
//! 1. [`load`]: `site.toml`, the site's folders and every guide file, parsed into the
//!    [`model`] and checked one by one (ids, slugs, required text);
//! 2. [`prepare`]: the markdown and widgets of each guide;
//! 3. [`check`]: links, output names and the output folder, across the site;
//! 4. [`render`]: every page from the theme's templates, and the [`search`] index from the
//!    model;
//! 5. [`release`] (release builds only): minified, fingerprinted, host files, output checked;
//! 6. [`output`]: written into a standby tree and swapped in at once.
//!
//! [`serve`] keeps the stages' results in memory and reruns what a change affects;
//! [`publish`] sends a release build to a folder, a git branch or a bucket. [`diagnostic`] is
//! the error type every stage reports in; [`init`] writes new sites and guides; [`cli`] is the
//! command line.

pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod init;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod prepare;
pub mod publish;
pub mod release;
pub mod render;
pub mod search;
pub mod serve;
