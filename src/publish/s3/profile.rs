//! Credentials and region of an AWS profile, read from the shared files the AWS CLI writes:
//! `~/.aws/credentials` and `~/.aws/config` (or the files `AWS_SHARED_CREDENTIALS_FILE` and
//! `AWS_CONFIG_FILE` name). The profile is the one `AWS_PROFILE` names, else `default`.
//!
//! Only keys stored in the files are used. A profile that gets its keys some other way
//! (`credential_process`, SSO, an assumed role) is refused with the command that exports them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// What the chosen profile gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Profile {
    pub(crate) name: String,
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
    pub(crate) region: Option<String>,
}

/// Settings that make a profile fetch its keys at run time, which publish does not do.
const INDIRECT: [&str; 5] = [
    "credential_process",
    "role_arn",
    "sso_session",
    "sso_start_url",
    "web_identity_token_file",
];

/// One profile's settings as read, with where its section starts (`file:line`).
#[derive(Default)]
struct Section {
    at: String,
    values: HashMap<String, String>,
}

/// The profile to sign with, from the shared files, looked up with `var` (the environment).
/// `Ok(None)`: no `AWS_PROFILE` and no `default` profile with keys, so there is nothing to use.
pub(crate) fn find_profile(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Profile>> {
    let home = var("HOME").map(PathBuf::from);
    let file = |variable: &str, name: &str| {
        var(variable)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(name)))
    };
    let credentials_file = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let config_file = file("AWS_CONFIG_FILE", "config");
    let named = var("AWS_PROFILE");
    let name = named.clone().unwrap_or_else(|| "default".to_string());
    let mut sections = Vec::new();
    let mut found = Vec::new();
    for (path, in_config) in [(&config_file, true), (&credentials_file, false)] {
        let Some(path) = path else { continue };
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let parsed = parse(path, &text, in_config);
        found.extend(parsed.keys().cloned());
        sections.extend(
            parsed
                .into_iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, s)| s),
        );
    }
    if sections.is_empty() {
        let Some(named) = named else { return Ok(None) };
        found.sort();
        found.dedup();
        let searched: Vec<String> = [&credentials_file, &config_file]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        bail!(
            "publish --to s3: AWS_PROFILE names profile {named}, which is not in {}\n  help: {}",
            searched.join(" or "),
            if found.is_empty() {
                "run `aws configure --profile NAME`, or unset AWS_PROFILE".to_string()
            } else {
                format!("the profiles there are: {}", found.join(", "))
            }
        );
    }
    // The credentials file is read last, so its values win, as with the AWS CLI.
    let mut values = HashMap::new();
    for section in &sections {
        values.extend(section.values.clone());
    }
    let at = &sections.last().map(|s| s.at.clone()).unwrap_or_default();
    profile_from(&name, at, values, named.is_some())
}

fn profile_from(
    name: &str,
    at: &str,
    mut values: HashMap<String, String>,
    named: bool,
) -> Result<Option<Profile>> {
    let key = values.remove("aws_access_key_id");
    let secret = values.remove("aws_secret_access_key");
    let export = format!(
        "run `eval \"$(aws configure export-credentials --profile {name} --format env)\"` first, then publish"
    );
    match (key, secret) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(Some(Profile {
            name: name.to_string(),
            access_key_id,
            secret_access_key,
            session_token: values.remove("aws_session_token"),
            region: values.remove("region"),
        })),
        (Some(_), None) | (None, Some(_)) => bail!(
            "{at}: profile {name} has only one of aws_access_key_id and aws_secret_access_key\n  help: add the other one"
        ),
        (None, None) => {
            if let Some(how) = INDIRECT.iter().find(|k| values.contains_key(**k)) {
                bail!(
                    "{at}: profile {name} gets its keys through {how}, which publish --to s3 does not run\n  help: {export}"
                );
            }
            if named {
                bail!(
                    "{at}: profile {name} has no aws_access_key_id and aws_secret_access_key\n  help: run `aws configure --profile {name}`"
                );
            }
            Ok(None)
        }
    }
}

/// The sections of one shared file by profile name. The config file writes `[profile NAME]`
/// (and `[default]`), the credentials file `[NAME]`; other sections (`[sso-session x]`,
/// `[services x]`) and indented sub-settings (`s3 =` followed by `  addressing_style = path`)
/// are skipped.
fn parse(path: &Path, text: &str, in_config: bool) -> HashMap<String, Section> {
    let mut sections: HashMap<String, Section> = HashMap::new();
    let mut current: Option<String> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) || line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let header = header.trim();
            current = match header.strip_prefix("profile ") {
                Some(name) if in_config => Some(name.trim().to_string()),
                None if !in_config || header == "default" => Some(header.to_string()),
                _ => None,
            };
            if let Some(name) = &current {
                sections.entry(name.clone()).or_insert_with(|| Section {
                    at: format!("{}:{}", path.display(), number + 1),
                    values: HashMap::new(),
                });
            }
            continue;
        }
        if let (Some(name), Some((key, value))) = (&current, trimmed.split_once('='))
            && let Some(section) = sections.get_mut(name)
        {
            section
                .values
                .insert(key.trim().to_lowercase(), value.trim().to_string());
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(home: &Path, pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let mut env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert("HOME".into(), home.display().to_string());
        move |k| env.get(k).cloned()
    }

    fn home_with(credentials: &str, config: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/credentials"), credentials).unwrap();
        std::fs::write(home.path().join(".aws/config"), config).unwrap();
        home
    }

    #[test]
    fn named_profile_takes_keys_from_credentials_and_region_from_config() {
        let home = home_with(
            "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[site]\n# a comment\naws_access_key_id = K\naws_secret_access_key = S\naws_session_token = T\n",
            "[profile site]\nregion = eu-west-3\ns3 =\n  addressing_style = path\n[sso-session x]\nregion = us-east-2\n",
        );
        let found = find_profile(&lookup(home.path(), &[("AWS_PROFILE", "site")])).unwrap();
        assert_eq!(
            found,
            Some(Profile {
                name: "site".into(),
                access_key_id: "K".into(),
                secret_access_key: "S".into(),
                session_token: Some("T".into()),
                region: Some("eu-west-3".into()),
            })
        );
        let default = find_profile(&lookup(home.path(), &[])).unwrap().unwrap();
        assert_eq!(
            (default.name.as_str(), default.access_key_id.as_str()),
            ("default", "D")
        );
    }

    #[test]
    fn files_named_by_the_environment_replace_the_home_ones() {
        let home = home_with(
            "[default]\naws_access_key_id = H\naws_secret_access_key = HS\n",
            "",
        );
        let other = home.path().join("other-credentials");
        std::fs::write(
            &other,
            "[default]\naws_access_key_id = O\naws_secret_access_key = OS\n",
        )
        .unwrap();
        let var = lookup(
            home.path(),
            &[("AWS_SHARED_CREDENTIALS_FILE", other.to_str().unwrap())],
        );
        assert_eq!(find_profile(&var).unwrap().unwrap().access_key_id, "O");
    }

    #[test]
    fn a_missing_profile_is_named_with_the_ones_there() {
        let home = home_with(
            "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n",
            "[profile ci]\nregion = x\n",
        );
        let err = find_profile(&lookup(home.path(), &[("AWS_PROFILE", "prod")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("AWS_PROFILE names profile prod, which is not in"),
            "{err}"
        );
        assert!(err.contains("the profiles there are: ci, default"), "{err}");
    }

    #[test]
    fn no_files_and_no_profile_means_nothing_to_use() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(find_profile(&lookup(home.path(), &[])).unwrap(), None);
    }

    #[test]
    fn indirect_and_half_profiles_are_refused_with_their_place() {
        let home = home_with(
            "[half]\naws_access_key_id = K\n",
            "[profile sso]\nsso_session = corp\nregion = x\n",
        );
        let err = |p: &str| {
            find_profile(&lookup(home.path(), &[("AWS_PROFILE", p)]))
                .unwrap_err()
                .to_string()
        };
        let sso = err("sso");
        assert!(
            sso.contains(".aws/config:1: profile sso gets its keys through sso_session"),
            "{sso}"
        );
        assert!(sso.contains("export-credentials --profile sso"), "{sso}");
        let half = err("half");
        assert!(
            half.contains(".aws/credentials:1: profile half has only one of"),
            "{half}"
        );
    }
}
