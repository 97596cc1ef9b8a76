//! The typed data every stage passes along: the site's [`config::SiteConfig`], a
//! [`guide::Guide`] as read, its rendered [`body`], the [`views`] of its widgets, the
//! [`prepared_guide::PreparedGuide`] that holds them, and the [`site::Site`] of all prepared
//! guides, their tags and their [`series`].

/// `impl Deserialize` for a type written as text in front matter or site.toml: the text goes
/// through the type's `parse(&str) -> Result<Self, String>`, and its error is the message
/// (the loaders add the position).
macro_rules! deserialize_by_parse {
    ($type:ty) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                <$type>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod address;
pub mod body;
pub mod config;
pub mod guide;
pub mod notice;
pub mod prepared_guide;
pub mod review;
pub mod series;
pub mod site;
pub mod source;
pub mod total_time;
pub mod utc_offset;
pub mod views;
