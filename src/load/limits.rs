//! Caps on the size of what a site's author writes. Every stage is linear in its input, but a
//! guide file of hundreds of megabytes (a pasted log, a generated file in the wrong folder)
//! would still take gigabytes to hold as text, HTML and page; these caps turn that into an
//! error that names the file. The numbers are far above what a guide needs.

/// The largest guide file, in bytes (the longest guide of the showcase is about 20 KB).
pub const MAX_GUIDE_FILE_BYTES: usize = 4 * 1024 * 1024;

/// The longest title, in characters: it is the `<h1>`, the `<title>` and the slug's source.
pub const MAX_TITLE_CHARS: usize = 300;

/// The longest description, in characters: it is the page's meta description and card text.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// The longest slug or tag slug, in bytes: each is a folder name in the output, and file
/// systems allow 255 bytes a name; the rest is room for hosts and checkouts that add to it.
pub const MAX_SLUG_BYTES: usize = 200;
