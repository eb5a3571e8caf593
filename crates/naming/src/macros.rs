//! The one shape of every validated string type: a private `String` that `new` checks.

/// Defines `pub struct $name(String)` whose `new` runs `$check($field, &value)`, with
/// `as_str`, `Display`, `AsRef<str>`, `FromStr`, `TryFrom<String>`, `Into<String>` and serde
/// (deserializing validates too).
macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident, $field:expr, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `value`; the error names the field, the value and the rule broken.
            pub fn new(value: impl Into<String>) -> Result<Self, NamingError> {
                let value = value.into();
                $check($field, &value)?;
                Ok(Self(value))
            }

            /// Checks `value` without keeping it: what [`Self::new`] would answer, with no
            /// allocation (for validating many names at once).
            pub fn check(value: &str) -> Result<(), NamingError> {
                $check($field, value)
            }

            /// The name as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = NamingError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = NamingError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}
