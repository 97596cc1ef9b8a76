//! guidesmith: a static site generator for practical, step-by-step guides.
//!
//! Data flows one way: [`config`] → [`content`] (with [`front_matter`] and [`validate`]) →
//! [`widgets`] (with [`markdown`]) → [`site`] → [`render`] (with [`theme`] and [`jsonld`]) →
//! [`links`] → [`output`]. [`build`] runs that pipeline; the commands are its clients.
//! Release builds add [`release`] after rendering; [`publish`] checks and deploys them.

pub mod build;
pub mod build_record;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod file_reads;
pub mod front_matter;
pub mod guide;
pub mod init;
pub mod jsonld;
pub mod limits;
pub mod links;
pub mod markdown;
pub mod output;
pub mod output_folder;
pub mod output_swap;
pub mod portable_names;
pub mod publish;
pub mod release;
pub mod render;
pub mod serve;
pub mod site;
pub mod site_walk;
pub mod staging_folder;
pub mod theme;
pub mod unique_ids;
pub mod validate;
pub mod watch;
pub mod widgets;
