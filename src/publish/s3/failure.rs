//! What a failed request to the bucket means, in one sentence and a hint: object_store's
//! errors carry the S3 error code only inside their text (`<Code>NoSuchBucket</Code>`), so the
//! code is read from there, and the status, URL and timings object_store adds are dropped.

/// Why a request failed, as far as the user can act on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    NoSuchBucket,
    CredentialsRefused,
    AccessDenied,
    /// The server answered with an error status: `503 Service Unavailable (SlowDown)`.
    ServerError(String),
    /// No answer: connection refused or reset, DNS, timeout.
    NoAnswer(String),
    Other(String),
}

/// What object_store's error type says on its own: a 401 or a 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    Unauthenticated,
    PermissionDenied,
}

impl Failure {
    pub(crate) fn from_error(e: &object_store::Error) -> Failure {
        let refusal = match e {
            object_store::Error::Unauthenticated { .. } => Some(Refusal::Unauthenticated),
            object_store::Error::PermissionDenied { .. } => Some(Refusal::PermissionDenied),
            _ => None,
        };
        Failure::from_parts(&e.to_string(), refusal)
    }

    /// The S3 error code decides when there is one (a 403 may be a bad signature or a missing
    /// permission), then the 401/403, then the shape of the text.
    fn from_parts(text: &str, refusal: Option<Refusal>) -> Failure {
        let code = s3_error_code(text);
        match (code, refusal) {
            (Some("NoSuchBucket"), _) => Failure::NoSuchBucket,
            (
                Some(
                    "InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"
                    | "InvalidToken"
                    | "ExpiredToken",
                ),
                _,
            )
            | (None, Some(Refusal::Unauthenticated)) => Failure::CredentialsRefused,
            (Some("AccessDenied" | "AllAccessDisabled"), _)
            | (_, Some(Refusal::PermissionDenied)) => Failure::AccessDenied,
            _ => Failure::from_text(text, code),
        }
    }

    fn from_text(text: &str, code: Option<&str>) -> Failure {
        const STATUS: &str = "Server returned non-2xx status code: ";
        if let Some(i) = text.find(STATUS) {
            let status = text[i + STATUS.len()..]
                .split(':')
                .next()
                .unwrap_or("")
                .trim();
            return Failure::ServerError(match code {
                Some(code) => format!("{status} ({code})"),
                None => status.to_string(),
            });
        }
        if let Some(i) = text.find("HTTP error: ") {
            let cause = text[i + "HTTP error: ".len()..]
                .lines()
                .next()
                .unwrap_or("");
            return Failure::NoAnswer(cause.trim().to_string());
        }
        Failure::Other(text.lines().next().unwrap_or("").to_string())
    }

    /// `(what happened, what to do)`.
    pub(crate) fn describe(&self) -> (String, &'static str) {
        const RESUME: &str = "the next publish picks up where this one stopped";
        match self {
            Failure::NoSuchBucket => (
                "the bucket does not exist".into(),
                "create it, or check --bucket, --endpoint and --region",
            ),
            Failure::CredentialsRefused => (
                "the credentials were refused".into(),
                "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)",
            ),
            Failure::AccessDenied => (
                "access denied".into(),
                "the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on this bucket",
            ),
            Failure::ServerError(status) => (
                format!("the server answered {status}"),
                "try again later: the next publish picks up where this one stopped ([publish.s3] retries sets how often a request is retried, with backoff)",
            ),
            Failure::NoAnswer(cause) => (
                format!("no answer from the server ({cause})"),
                "check --endpoint and the network; the next publish picks up where this one stopped",
            ),
            Failure::Other(text) => (text.clone(), RESUME),
        }
    }
}

/// The `<Code>` of an S3 error document inside `text`.
/// The `<Code>` of an AWS error body (S3's, CloudFront's), wherever it sits in `text`.
pub(crate) fn s3_error_code(text: &str) -> Option<&str> {
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    Some(&text[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_shapes_of_object_store_errors_are_read() {
        let xml = |status: &str, code: &str| {
            format!(
                "Generic S3 error: Error performing GET http://h/b/k in 4ms - Server returned non-2xx status code: {status}: <?xml version=\"1.0\"?>\n<Error><Code>{code}</Code></Error>"
            )
        };
        let denied = Some(Refusal::PermissionDenied);
        assert_eq!(
            Failure::from_parts(&xml("404 Not Found", "NoSuchBucket"), None),
            Failure::NoSuchBucket
        );
        assert_eq!(
            Failure::from_parts(&xml("403 Forbidden", "SignatureDoesNotMatch"), denied),
            Failure::CredentialsRefused
        );
        assert_eq!(
            Failure::from_parts(&xml("403 Forbidden", "AccessDenied"), denied),
            Failure::AccessDenied
        );
        assert_eq!(
            Failure::from_parts(&xml("503 Service Unavailable", "SlowDown"), None),
            Failure::ServerError("503 Service Unavailable (SlowDown)".into())
        );
        assert_eq!(
            Failure::from_parts(
                "Generic S3 error: Error performing PUT http://h/b/k in 1ms - HTTP error: error sending request",
                None
            ),
            Failure::NoAnswer("error sending request".into())
        );
        assert_eq!(
            Failure::from_parts("odd\nsecond line", None),
            Failure::Other("odd".into())
        );
    }
}
