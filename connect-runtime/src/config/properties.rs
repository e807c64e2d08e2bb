//! Reading Java `.properties` files (comments, `=`/`:`/space separators, `\` continuations,
//! `\uXXXX` escapes) with the `java-properties` crate.

use std::collections::HashMap;
use std::path::Path;

/// Why a properties file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PropertiesError {
    /// The file could not be opened or read.
    #[error("could not read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid properties syntax.
    #[error("could not parse {path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: java_properties::PropertiesError,
    },
}

/// Reads a properties file into a map (later keys win, as in `java.util.Properties`).
pub fn load_properties(path: &Path) -> Result<HashMap<String, String>, PropertiesError> {
    let file = std::fs::File::open(path).map_err(|source| PropertiesError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_properties(std::io::BufReader::new(file)).map_err(|source| PropertiesError::Parse {
        path: path.display().to_string(),
        source,
    })
}

/// Parses properties text.
pub fn parse_properties(
    reader: impl std::io::Read,
) -> Result<HashMap<String, String>, java_properties::PropertiesError> {
    java_properties::read(reader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_syntax() {
        let text = "# comment\n! also comment\na=1\nb: 2\nc 3\nlong=one \\\n    two\nuni=caf\\u00e9\nkey\\=with\\:seps=v\nempty=\n";
        let p = parse_properties(text.as_bytes()).unwrap();
        assert_eq!(p["a"], "1");
        assert_eq!(p["b"], "2");
        assert_eq!(p["c"], "3");
        assert_eq!(p["long"], "one two");
        assert_eq!(p["uni"], "café");
        assert_eq!(p["key=with:seps"], "v");
        assert_eq!(p["empty"], "");
    }
}
