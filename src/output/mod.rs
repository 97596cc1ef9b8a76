//! Stage 6, write: the rendered files written into a standby tree and exchanged with the output
//! folder in one step ([`standby`], [`swap`]), what the build was made from recorded for the
//! next one ([`build_record`]), and what earlier versions left beside the output removed
//! ([`staging_folder`]).

pub mod build_record;
pub mod staging_folder;
pub mod standby;
pub mod swap;
