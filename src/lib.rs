//! guidesmith: a static site generator for practical, step-by-step guides.
//!
//! Data flows one way through named stages, one folder each; [`pipeline`] runs them, and every
//! command ([`commands`]) is a client of it. The modules, in the order data flows through them:
//!
//! 1. `model/`: the types every stage shares: `config` (site.toml), `guide` (front matter and
//!    body), `body`, `views`, `source`, `review`, `total_time`, `notice`, `series`,
//!    `prepared_guide` (what the prepare stage makes of a guide) and `site` (all guides in
//!    reading order, with their tags);
//! 2. `load/`: `site_walk` (which files belong to the site), `file_reads` and `limits`
//!    (bounded reads), `front_matter` (the only user of serde_yaml), `content` (every guide
//!    file), `validate` (each guide on its own), `file_dates` (git or mtime dates);
//! 3. `prepare/`: `markdown`, `widgets`, `citations` and `unique_ids`: each guide's body and
//!    widgets, rendered to views;
//! 4. `check/`: across the site: `links`, `series`, `portable_names`, `overdue_reviews`, and
//!    `output_folder` (where the output may go);
//! 5. `render/`: `theme` (templates and static files, embedded or the site's own), `pages`,
//!    `jsonld`, `notices`, `series`, `plain_text`; and `search/` (the search index, from the
//!    model: `records`, `terms`, `shards`);
//! 6. `release/` (release builds): `minify`, `fingerprint`, `scan` and `output_check` (every
//!    link of the finished output), `host_files`, `precompress`, `urls`;
//! 7. `output/`: `standby` and `swap` (the output is replaced in one step), `build_record`
//!    (a build with nothing changed is skipped), `staging_folder`.
//!
//! Clients of the pipeline: [`serve`] (`incremental` keeps the stages' results in memory and
//! reruns what a change affects; `changes`, `guide_files`, `page_keys` and `site_checks` are its
//! parts; `watch`, `http`, `connections`, `limits` and `reload` serve the result) and
//! `publish/` (`dir`, `git`, `s3`: a release build sent to a folder, a git branch or a
//! bucket). [`diagnostic`] is the error type every stage reports in, [`init`] writes new sites
//! and guides, [`cli`] is the command line.
//!
//! The library's API is [`pipeline`] (build and check a site), [`serve`] ([`serve::serve`] and
//! the [`serve::IncrementalSite`] it rebuilds), [`diagnostic`], [`init`], [`cli`] and
//! [`commands`]; every other module is internal to the crate.

pub(crate) mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod init;
pub(crate) mod load;
pub(crate) mod model;
pub(crate) mod output;
pub mod pipeline;
pub(crate) mod prepare;
pub(crate) mod publish;
pub(crate) mod release;
pub(crate) mod render;
pub(crate) mod search;
pub mod serve;

pub use render::theme::default_theme_file;
