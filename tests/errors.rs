//! Bad input: each case asserts the exact message with its `file:line:column`, a non-zero exit,
//! and that the last good output is untouched.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// Builds the basic fixture once (the last good output), adds `files`, builds again and
/// returns stderr of the failed build, after checking the old output survived.
fn failed_build(files: &[(&str, &[u8])]) -> String {
    let (tmp, root) = site_copy("basic");
    let out = tmp.path().join("out");
    let args = [
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    assert!(guidesmith(&args).status.success());
    let good = fs::read(out.join("alpha/index.html")).unwrap();
    for (name, bytes) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
    }
    let r = guidesmith(&args);
    let err = stderr(&r);
    assert_eq!(r.status.code(), Some(1), "build should fail: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        fs::read(out.join("alpha/index.html")).unwrap(),
        good,
        "last good output changed"
    );
    assert!(out.join(".guidesmith-output").is_file());
    let check = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stderr(&check), err, "check reports what build reports");
    err
}

fn assert_error(files: &[(&str, &[u8])], expected: &str) {
    let err = failed_build(files);
    assert!(err.contains(expected), "expected:\n{expected}\ngot:\n{err}");
}

const GOOD_HEAD: &str = "---\ntitle: A\ndescription: B\n";

#[test]
fn malformed_yaml() {
    assert_error(
        &[(
            "guides/bad.md",
            b"---\ntitle: A\ndescription: \"unclosed\nsteps: []\n---\n",
        )],
        "guides/bad.md:",
    );
    let err = failed_build(&[("guides/bad.md", b"---\ntitle: A\n  description: B\n---\n")]);
    assert!(err.starts_with("guides/bad.md:3:"), "{err}");
}

#[test]
fn wrong_types() {
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}steps: 5\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:8: error: in `steps`: invalid type: integer `5`, expected a sequence\n  help: write a list",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}weight: heavy\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:9: error: in `weight`: invalid type: string \"heavy\", expected a whole number\n  help: write a whole number",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}date: 2026-02-30\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:7: error: `2026-02-30` is not a day of that month",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}steps:\n  - title: A\n    duration: soon\n---\n").as_bytes(),
        )],
        "guides/bad.md:6:15: error: in `steps[0]`: `soon` is not a duration",
    );
}

#[test]
fn yaml_1_1_booleans_are_refused() {
    assert_error(
        &[("guides/bad.md", b"---\ntitle: no\ndescription: B\n---\n")],
        "guides/bad.md:2:8: error: unquoted `no` is ambiguous: YAML 1.1 reads it as a boolean, YAML 1.2 as text\n  help: write \"no\" in quotes for the text, or true/false for a yes/no value",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}draft: off\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:8: error: unquoted `off`",
    );
}

#[test]
fn unknown_keys_name_the_nearest_valid_one() {
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}stpes: []\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:1: error: unknown key `stpes`\n  help: did you mean `steps`?",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}faqs:\n  - q: Why?\n    answer: Because\n---\n").as_bytes(),
        )],
        "guides/bad.md:6:5: error: in `faqs[0]`: unknown key `answer`\n  help: did you mean `a`? Valid keys here: id, q, a",
    );
}

#[test]
fn missing_required_fields() {
    assert_error(
        &[("guides/bad.md", b"---\ntitle: A\n---\nbody\n")],
        "guides/bad.md:2:1: error: missing field `description`",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}faqs:\n  - q: Why?\n---\n").as_bytes(),
        )],
        "guides/bad.md:5:5: error: in `faqs[0]`: missing field `a`",
    );
}

#[test]
fn duplicate_ids_slugs_and_output_paths() {
    assert_error(
        &[("guides/bad.md", format!("{GOOD_HEAD}checklists:\n  - id: prep\n    title: First\n    items: [a]\n  - id: prep\n    title: Second\n    items: [b]\n---\n").as_bytes())],
        "guides/bad.md:8:5: error: duplicate id `prep`: a checklist in this guide already uses it\n  help: give one of them another id",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}faqs:\n  - q: Same?\n    a: one\n  - q: Same?\n    a: two\n---\n")
                .as_bytes(),
        )],
        "guides/bad.md:7:8: error: duplicate id `same`: a FAQ in this guide already uses it",
    );
    assert_error(
        &[("guides/bad.md", format!("{GOOD_HEAD}checklists:\n  - title: First\n    items:\n      - Call\n      - Call\n---\n").as_bytes())],
        "guides/bad.md:8:9: error: duplicate id `call`: a checklist item in this guide already uses it",
    );
    assert_error(
        &[(
            "guides/zeta.md",
            format!("{GOOD_HEAD}slug: alpha\n---\n").as_bytes(),
        )],
        "guides/zeta.md:4:1: error: duplicate slug `alpha`: `guides/alpha.md` already uses it",
    );
    assert_error(
        &[("guides/tags.md", format!("{GOOD_HEAD}---\n").as_bytes())],
        "guides/tags.md:1:1: error: duplicate output path `tags/index.html`: another page is written there too",
    );
}

#[test]
fn markers_that_name_no_widget() {
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}---\n\nText\n\n<!-- widget: checklist nope -->\n").as_bytes(),
        )],
        "guides/bad.md:8:1: error: the marker names no widget: this guide has no checklist `nope`",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}---\n\n<!-- widget: stepz -->\n").as_bytes(),
        )],
        "guides/bad.md:6:1: error: bad widget marker: unknown widget `stepz`",
    );
}

#[test]
fn broken_links_and_anchors() {
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}---\n\nSee [it](/alpah/).\n").as_bytes(),
        )],
        "guides/bad.md:6:5: error: broken link `/alpah/`: no page or file there\n  help: did you mean `/alpha/`?",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}---\n\n## Here\n\nSee [a](/alpha/#faq-how-longg) and [b](#her).\n")
                .as_bytes(),
        )],
        "guides/bad.md:8:5: error: broken anchor in `/alpha/#faq-how-longg`: the page has no id `faq-how-longg`\n  help: did you mean `#faq-how-long`?",
    );
    // A link written with the site's own base_url (https://example.org/sub/) is a site link.
    let err = failed_build(&[(
        "guides/bad.md",
        format!("{GOOD_HEAD}---\n\nSee [it](https://example.org/sub/alpah/) and [ok](https://example.org/sub/alpha/#faq-how-long).\n").as_bytes(),
    )]);
    let expected = "guides/bad.md:6:5: error: broken link `https://example.org/sub/alpah/`: no page or file there\n  help: did you mean `/alpha/`?";
    assert!(err.contains(expected), "expected:\n{expected}\ngot:\n{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    let err = failed_build(&[(
        "guides/bad.md",
        format!("{GOOD_HEAD}---\n\n## Here\n\nSee [b](#her).\n").as_bytes(),
    )]);
    assert!(
        err.contains("guides/bad.md:8:5: error: broken anchor in `#her`"),
        "{err}"
    );
}

#[test]
fn encodings_and_empty_files() {
    assert_error(
        &[(
            "guides/bad.md",
            b"---\ntitle: caf\xE9\ndescription: B\n---\n",
        )],
        "guides/bad.md:2:11: error: the file is not valid UTF-8 text\n  help: save the file as UTF-8",
    );
    assert_error(
        &[("guides/bad.md", b"")],
        "guides/bad.md:1:1: error: the file is empty",
    );
    assert_error(
        &[("guides/bad.md", b"no front matter\n")],
        "guides/bad.md:1:1: error: the file does not start with front matter",
    );
    assert_error(
        &[("guides/bad.md", b"---\ntitle: A\n")],
        "guides/bad.md:1:1: error: the front matter is never closed",
    );
}

#[test]
fn unsafe_slugs() {
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}slug: ../../etc\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:1: error: invalid slug `../../etc`: a slug is one path segment and may not contain `/`, `\\` or `..`",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}slug: a/b\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:1: error: invalid slug `a/b`",
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops() {
    let (tmp, root) = site_copy("basic");
    std::os::unix::fs::symlink("..", root.join("guides/loop")).unwrap();
    let out = tmp.path().join("out");
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(
        stderr(&r).contains("guides/loop:1:1: error: symlink loop"),
        "{}",
        stderr(&r)
    );
    assert!(!out.exists());
}

#[test]
fn every_error_of_a_run_is_listed() {
    let err = failed_build(&[
        ("guides/one.md", b"---\ntitle: no\ndescription: B\n---\n"),
        ("guides/two.md", b""),
        (
            "guides/three.md",
            format!("{GOOD_HEAD}---\n\n[x](/nowhere/)\n").as_bytes(),
        ),
    ]);
    assert!(err.contains("guides/one.md:2:8"), "{err}");
    assert!(err.contains("guides/three.md:6:1"), "{err}");
    assert!(err.contains("guides/two.md:1:1"), "{err}");
    assert!(err.trim_end().ends_with("3 errors"), "{err}");
}

#[test]
fn bad_site_toml() {
    let (_tmp, root) = site_copy("basic");
    fs::write(
        root.join("site.toml"),
        "title = 'x'\nbase_url = 'https://x.org/'\nlanguge = 'en'\n",
    )
    .unwrap();
    let r = guidesmith(&["build", "--root", root.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(
        stderr(&r).contains(
            "site.toml:3:1: error: unknown key `languge`\n  help: did you mean `language`?"
        ),
        "{}",
        stderr(&r)
    );
    fs::write(root.join("site.toml"), "title = 'x'\n").unwrap();
    let r = guidesmith(&["build", "--root", root.to_str().unwrap()]);
    assert!(
        stderr(&r).contains("missing field `base_url`"),
        "{}",
        stderr(&r)
    );
    let r = guidesmith(&[
        "build",
        "--root",
        Path::new("/nonexistent/site").to_str().unwrap(),
    ]);
    assert!(
        stderr(&r).contains("cannot read site.toml"),
        "{}",
        stderr(&r)
    );
}

/// A template that parses but fails while a page renders stops the build before the output is
/// touched, and `check` (which renders every page without keeping it) reports the same.
#[test]
fn template_error_while_rendering() {
    assert_error(
        &[(
            "themes/default/templates/404.html",
            b"<p>{{ no_such_value.field }}</p>\n",
        )],
        "404.html",
    );
}

#[test]
fn text_keys_refuse_numbers_booleans_and_null() {
    for (value, kind) in [
        ("2024", "a number"),
        ("true", "a boolean"),
        ("null", "null (no value)"),
        ("1.5e3", "a number"),
    ] {
        assert_error(
            &[(
                "guides/bad.md",
                format!("---\ntitle: {value}\ndescription: B\n---\n").as_bytes(),
            )],
            &format!(
                "guides/bad.md:2:8: error: `title` must be text, but unquoted `{value}` is read as {kind}\n  help: put it in double quotes: title: \"{value}\""
            ),
        );
    }
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}faqs:\n  - q: Why?\n    a: 42\n---\n").as_bytes(),
        )],
        "guides/bad.md:6:8: error: `a` must be text, but unquoted `42` is read as a number",
    );
}

#[test]
fn a_key_repeated_inside_an_item_is_an_error() {
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}checklists:\n  - title: C\n    items:\n      - {{id: a, id: b, text: t}}\n---\n").as_bytes(),
        )],
        "guides/bad.md:7:9: error: in `checklists[0].items[0]`: duplicate field `id`",
    );
}

#[test]
fn yaml_anchors_and_aliases_are_refused_before_they_expand() {
    // Nine levels of nine aliases each: a billion leaves if it were expanded.
    let mut yaml = String::from("---\ntitle: A\ndescription: B\nx0: &a0 [\"lol\"]\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 9].join(", ");
        yaml.push_str(&format!("x{level}: &a{level} [{refs}]\n"));
    }
    yaml.push_str("---\n");
    let err = failed_build(&[("guides/bad.md", yaml.as_bytes())]);
    assert!(
        err.starts_with("guides/bad.md:4:5: error: YAML anchors (`&a0`) are not supported in front matter\n  help: write the value out in full"),
        "{err}"
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}takeaways: [*nothing]\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:",
    );
}

#[test]
fn oversized_files_and_fields_are_refused() {
    let mut big = String::from("---\ntitle: A\ndescription: B\n---\n");
    while big.len() <= 4 * 1024 * 1024 {
        big.push_str("A line of body text that repeats until the file is too large.\n");
    }
    assert_error(
        &[("guides/big.md", big.as_bytes())],
        "guides/big.md:1:1: error: the file is 4.0 MB; a guide file may be at most 4 MB",
    );
    let title = "T".repeat(301);
    assert_error(
        &[(
            "guides/bad.md",
            format!("---\ntitle: {title}\ndescription: B\n---\n").as_bytes(),
        )],
        "guides/bad.md:2:1: error: `title` is 301 characters long; at most 300 are allowed",
    );
}

#[test]
fn yaml_mistakes_point_at_the_mistake_in_plain_words() {
    assert_error(
        &[(
            "guides/bad.md",
            b"---\ntitle: A\ndescription: \"never closed\nweight: 3\nsteps: []\n---\n",
        )],
        "guides/bad.md:3:14: error: this quoted value is never closed\n  help: end the value with the same quote mark",
    );
    let err = failed_build(&[("guides/bad.md", b"---\n- a\n- b\n---\n")]);
    assert!(
        err.contains("expected keys such as `title: ...` and `description: ...`"),
        "{err}"
    );
    let err = failed_build(&[(
        "guides/bad.md",
        format!("{GOOD_HEAD}weight: 99999999999999999999999\n---\n").as_bytes(),
    )]);
    assert!(
        !err.contains("struct") && !err.contains(" as u128"),
        "{err}"
    );
    let err = failed_build(&[(
        "guides/bad.md",
        format!("{GOOD_HEAD}steps:\n  - title: a\n   - title: b\n---\n").as_bytes(),
    )]);
    assert!(err.contains("help: check the indentation"), "{err}");
}

#[test]
fn an_opening_line_with_trailing_spaces_still_opens_the_front_matter() {
    let (_tmp, root) = site_copy("basic");
    fs::write(
        root.join("guides/spaced.md"),
        "--- \ntitle: Spaced\ndescription: B\n---  \nBody.\n",
    )
    .unwrap();
    let r = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
}

#[test]
fn names_that_break_on_other_systems_are_reported() {
    let (_tmp, root) = site_copy("basic");
    fs::create_dir_all(root.join("static/Alpha")).unwrap();
    fs::write(root.join("static/Alpha/x.txt"), "x").unwrap();
    fs::write(
        root.join("guides/con.md"),
        "---\ntitle: Con\ndescription: B\n---\n",
    )
    .unwrap();
    let r = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    let err = stderr(&r);
    assert!(r.status.success(), "warnings only by default: {err}");
    assert!(
        err.contains("warning: `Alpha` and `alpha` differ only by case"),
        "{err}"
    );
    assert!(
        err.contains("guides/con.md:1:1: warning: `con` uses the name `con`, which Windows reserves for a device"),
        "{err}"
    );
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(
        root.join("site.toml"),
        format!("{toml}\n[build]\nportable = true\n"),
    )
    .unwrap();
    let r = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("error: `con` uses the name"),
        "{}",
        stderr(&r)
    );
}

#[test]
fn an_output_folder_that_holds_the_sources_is_refused_and_the_site_survives() {
    let (_tmp, root) = site_copy("basic");
    // A GitHub Pages root made with `cp -r public/. .` carries build's marker.
    fs::write(root.join(".guidesmith-output"), "").unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    let site_toml = fs::read_to_string(root.join("site.toml")).unwrap();
    let r = root.to_str().unwrap();
    for (output_dir, why) in [
        (".", "is the site root"),
        ("guides", "is the guides folder"),
        ("static/out", "is inside the static folder (`static`)"),
        ("themes", "contains the theme folder (`themes/default`)"),
        ("themes/default/out", "is inside the theme folder"),
        (".git", "is the git repository"),
        ("./guides", "is the guides folder"),
    ] {
        fs::write(
            root.join("site.toml"),
            format!("output_dir = \"{output_dir}\"\n{site_toml}"),
        )
        .unwrap();
        for command in ["build", "check"] {
            let out = guidesmith(&[command, "--root", r]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{command} {output_dir}: {err}");
            assert!(
                err.starts_with("site.toml:1:1: error: the output folder ") && err.contains(why),
                "{command} {output_dir}: {err}"
            );
        }
    }
    fs::write(root.join("site.toml"), &site_toml).unwrap();
    for flag in [".", "guides", "static/x", ".."] {
        let out = guidesmith(&[
            "build",
            "--root",
            r,
            "--output",
            &root.join(flag).to_string_lossy(),
        ]);
        assert_eq!(out.status.code(), Some(1), "--output {flag}");
        assert!(
            stderr(&out).contains("error: --output: the output folder"),
            "{}",
            stderr(&out)
        );
    }
    assert!(root.join("guides/alpha.md").is_file() && root.join("site.toml").is_file());
    assert!(root.join("static/logo.svg").is_file() && root.join(".git").is_dir());
}

#[test]
fn names_too_long_for_a_file_system_are_refused_by_check_and_build() {
    let long = "a".repeat(230);
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}slug: {long}\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:1: error: invalid slug `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...`: it is 230 bytes long; at most 200 are allowed",
    );
    assert_error(
        &[(
            "guides/bad.md",
            format!("{GOOD_HEAD}tags: [ok, {long}]\n---\n").as_bytes(),
        )],
        "guides/bad.md:4:1: error: tag `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...` is too long: its page's folder name would be 230 bytes",
    );
    // A slug taken from the file name points at the file and says so.
    let err = failed_build(&[(
        &format!("guides/{}.md", "b".repeat(210)),
        format!("{GOOD_HEAD}---\n").as_bytes(),
    )]);
    assert!(err.contains(".md:1:1: error: invalid slug `bbbb"), "{err}");
    assert!(
        err.contains("help: the slug comes from the file name"),
        "{err}"
    );
}

#[test]
fn a_cname_that_is_not_a_host_name_is_refused_by_check_and_build() {
    let toml = fs::read_to_string(fixture("basic").join("site.toml")).unwrap();
    let lines = toml.lines().count();
    for cname in [
        "\"guides.example.org\\nevil.example\"",
        "'https://guides.example.org/'",
    ] {
        let site = format!("{toml}\n[publish]\ncname = {cname}\n");
        let err = failed_build(&[("site.toml", site.as_bytes())]);
        assert!(
            err.starts_with(&format!(
                "site.toml:{}:1: error: [publish] cname = ",
                lines + 3
            )),
            "{err}"
        );
        assert!(err.contains("is not a host name"), "{err}");
    }
}

#[test]
fn control_characters_from_a_file_reach_the_terminal_escaped() {
    let err = failed_build(&[(
        "guides/bad.md",
        format!("{GOOD_HEAD}\"\\e[2J\\e]0;owned\\a\": 1\n---\n").as_bytes(),
    )]);
    assert!(!err.contains(['\u{1b}', '\u{7}']), "{err:?}");
    assert!(err.contains("\\u{1b}[2J\\u{1b}]0;owned\\u{7}"), "{err}");
}

/// Links in `static/` that lead out of the site are refused by `check`, `build` and `publish`
/// alike, naming the link, and are never walked (a link to a folder above the site); links
/// inside the site are followed; `[build] follow_external_links = true` lets them out.
#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_refused_by_every_command_unless_allowed() {
    use std::os::unix::fs::symlink;
    let (tmp, root) = site_copy("basic");
    let secret = tmp.path().join("secret.txt");
    fs::write(&secret, "secret").unwrap();
    fs::create_dir_all(root.join("static/docs")).unwrap();
    fs::write(root.join("static/docs/plan.txt"), "plan").unwrap();
    symlink(
        root.join("static/docs/plan.txt"),
        root.join("static/alias.txt"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let build = |root: &Path| {
        guidesmith(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ])
    };
    let r = build(&root);
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(fs::read_to_string(out.join("alias.txt")).unwrap(), "plan");

    symlink(&secret, root.join("static/passwd")).unwrap();
    symlink(tmp.path(), root.join("static/up")).unwrap();
    let r = build(&root);
    let err = stderr(&r);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(
        err.contains("static/passwd:1:1: error: this link leads out of the site, to "),
        "{err}"
    );
    assert!(
        err.contains("static/up:1:1: error: this link leads out of the site"),
        "{err}"
    );
    assert!(!err.contains("loop"), "{err}");
    assert!(!out.join("passwd").exists());
    let check = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(stderr(&check), err, "check reports what build reports");
    let target = tmp.path().join("www");
    let publish = guidesmith(&[
        "publish",
        "--root",
        root.to_str().unwrap(),
        "--to",
        "dir",
        target.to_str().unwrap(),
    ]);
    assert_eq!(publish.status.code(), Some(1));
    assert!(
        stderr(&publish).contains("static/passwd:1:1: error"),
        "{}",
        stderr(&publish)
    );
    assert!(!target.join("passwd").exists());

    fs::remove_file(root.join("static/up")).unwrap();
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(
        root.join("site.toml"),
        format!("{toml}\n[build]\nfollow_external_links = true\n"),
    )
    .unwrap();
    let r = build(&root);
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(fs::read_to_string(out.join("passwd")).unwrap(), "secret");
}
