//! Minifying HTML, CSS and JS for release builds.
//!
//! HTML goes through minify-html (which also minifies inline `<style>` and `<script>`), CSS
//! through lightningcss, JS through oxc (the minifier minify-html itself uses). Closing tags
//! and the `<html>`/`<head>` tags are kept: pages stay plain to read for other tools and
//! `<html data-base-path>` stays where the widget script looks for it. A CSS or JS file that
//! does not parse fails the build with its path and the parser's message; a broken file must
//! not ship silently. Files that are not UTF-8 are left as they are.

use anyhow::{Result, anyhow};
use rayon::prelude::*;

use crate::render::pages::OutputFile;

/// Minifies every HTML, CSS and JS file; other files pass through unchanged.
pub fn minify_files(files: Vec<OutputFile>) -> Result<Vec<OutputFile>> {
    files.into_par_iter().map(minify_file).collect()
}

/// Minifies `file` if it is HTML, CSS or JS in UTF-8.
pub(crate) fn minify_file(file: OutputFile) -> Result<OutputFile> {
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        return Ok(file);
    };
    let path = &file.path;
    let bytes = match extension(path) {
        "html" | "htm" => minify_html(text),
        "css" => minify_css(path, text)?.into_bytes(),
        "js" | "mjs" => minify_js(path, text)?.into_bytes(),
        _ => return Ok(file),
    };
    Ok(OutputFile {
        path: file.path,
        bytes,
    })
}

pub(crate) fn extension(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

pub fn minify_html(text: &str) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = true;
    minify_html::minify(text.as_bytes(), &cfg)
}

pub fn minify_css(path: &str, text: &str) -> Result<String> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    let fail = |e: &dyn std::fmt::Display| {
        anyhow!(
            "minifying {path}: {e}\n  help: fix the CSS, or set `minify = false` under [publish] in site.toml"
        )
    };
    let options = ParserOptions {
        filename: path.to_string(),
        ..ParserOptions::default()
    };
    let mut sheet = StyleSheet::parse(text, options).map_err(|e| fail(&e))?;
    sheet
        .minify(MinifyOptions::default())
        .map_err(|e| fail(&e))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .map_err(|e| fail(&e))?;
    Ok(printed.code)
}

pub fn minify_js(path: &str, text: &str) -> Result<String> {
    use oxc_allocator::Allocator;
    use oxc_codegen::{Codegen, CodegenOptions, CommentOptions, LegalComment};
    use oxc_minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
    use oxc_parser::Parser;
    use oxc_span::SourceType;

    let allocator = Allocator::default();
    let source_type = if extension(path) == "mjs" {
        SourceType::mjs()
    } else {
        SourceType::cjs()
    };
    let parsed = Parser::new(&allocator, text, source_type).parse();
    if let Some(error) = parsed.errors.first() {
        let at = error
            .labels
            .as_ref()
            .and_then(|l| l.first())
            .map(|l| crate::diagnostic::Position::of_offset(text, l.offset()));
        let at = at.map_or(String::new(), |p| format!(":{}:{}", p.line, p.column));
        return Err(anyhow!(
            "minifying {path}{at}: {error}\n  help: fix the script, or set `minify = false` under [publish] in site.toml"
        ));
    }
    let mut program = parsed.program;
    // Top-level names stay: other scripts of the page may use them.
    let options = MinifierOptions {
        mangle: Some(MangleOptions::default()),
        compress: Some(CompressOptions::safest()),
    };
    Minifier::new(options).minify(&allocator, &mut program);
    // Comments go, except legal ones (`/*! ... */`, `@license`), which licenses ask to keep.
    let comments = CommentOptions {
        legal: LegalComment::Inline,
        ..CommentOptions::disabled()
    };
    let code = Codegen::new()
        .with_options(CodegenOptions {
            comments,
            ..CodegenOptions::minify()
        })
        .build(&program)
        .code;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minifies_each_kind_and_keeps_what_scripts_need() {
        let html = minify_html(
            "<!doctype html>\n<html lang=\"en\" data-base-path=\"/p/\">\n<head>\n<title> T </title>\n</head>\n<body>\n  <p>  a   b  </p>\n</body>\n</html>\n",
        );
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.contains("data-base-path=/p/") || html.contains("data-base-path=\"/p/\""),
            "{html}"
        );
        assert!(html.contains("<p>a b</p>"), "{html}");
        assert_eq!(
            minify_css("s.css", "/* c */ body {\n  color : #ff0000 ;\n}\n").unwrap(),
            "body{color:red}"
        );
        let js = minify_js("a.js", "/*! keep: MIT */\n// note\nfunction hello(name) {\n  const greeting = 'Hi ' + name;\n  return greeting;\n}\n").unwrap();
        assert!(
            js.len() < 70
                && js.contains("function hello(")
                && js.contains("keep: MIT")
                && !js.contains("note"),
            "{js}"
        );
    }

    #[test]
    fn broken_css_and_js_name_the_file() {
        let e = minify_css("theme/a.css", "body { color: red; } }")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("minifying theme/a.css"), "{e}");
        let e = minify_js("x.js", "let a = ;").unwrap_err().to_string();
        assert!(e.starts_with("minifying x.js:1:"), "{e}");
    }
}
