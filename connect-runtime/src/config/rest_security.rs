//! The REST server's security settings, as Apache's `RestServerConfig` reads them: HTTPS
//! listeners and their keystores (`listeners.https.ssl.*`, else the worker's `ssl.*`),
//! `admin.listeners`, CORS (`access.control.allow.*`), `response.http.headers.config`, and
//! HTTP basic authentication (`BasicAuthSecurityRestExtension`, credentials in a JAAS-named
//! property file).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use connect_api::config::ConfigError;

/// `admin.listeners`.
pub const ADMIN_LISTENERS_CONFIG: &str = "admin.listeners";
/// `access.control.allow.origin`.
pub const ACCESS_CONTROL_ALLOW_ORIGIN_CONFIG: &str = "access.control.allow.origin";
/// `access.control.allow.methods`.
pub const ACCESS_CONTROL_ALLOW_METHODS_CONFIG: &str = "access.control.allow.methods";
/// `response.http.headers.config`.
pub const RESPONSE_HTTP_HEADERS_CONFIG: &str = "response.http.headers.config";
/// `rest.extension.classes`.
pub const REST_EXTENSION_CLASSES_CONFIG: &str = "rest.extension.classes";
/// Where the JAAS file naming the credentials is, when not in `KAFKA_OPTS` (ours).
pub const BASIC_AUTH_JAAS_CONFIG: &str = "rest.basic.auth.jaas.config.file";
/// Apache's basic authentication extension.
pub const BASIC_AUTH_EXTENSION: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";
const PROPERTY_FILE_LOGIN_MODULE: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";

/// A REST listener's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http://`.
    Http,
    /// `https://`.
    Https,
}

/// `ssl.client.auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// No client certificate asked for.
    None,
    /// Asked for; a client without one is still served.
    Requested,
    /// Required and verified against the truststore.
    Required,
}

/// The keystore and truststore of HTTPS listeners (Apache's `SslContextFactory` settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// `ssl.keystore.type`: `PEM` or `PKCS12`.
    pub keystore_type: String,
    /// `ssl.keystore.location`.
    pub keystore_location: Option<PathBuf>,
    /// `ssl.keystore.password`.
    pub keystore_password: Option<String>,
    /// `ssl.key.password`.
    pub key_password: Option<String>,
    /// `ssl.keystore.certificate.chain`: the chain in PEM, inline.
    pub certificate_chain: Option<String>,
    /// `ssl.keystore.key`: the private key in PEM, inline.
    pub key: Option<String>,
    /// `ssl.truststore.type`.
    pub truststore_type: String,
    /// `ssl.truststore.location`.
    pub truststore_location: Option<PathBuf>,
    /// `ssl.truststore.password`.
    pub truststore_password: Option<String>,
    /// `ssl.truststore.certificates`: trusted certificates in PEM, inline.
    pub truststore_certificates: Option<String>,
    /// `ssl.client.auth`.
    pub client_auth: ClientAuth,
}

/// One `response.http.headers.config` rule (Jetty's `HeaderFilter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRule {
    /// What to do.
    pub action: HeaderAction,
    /// The header.
    pub name: String,
    /// Its value; for the date actions, milliseconds from now.
    pub value: String,
}

/// A header rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderAction {
    /// Replaces the header.
    Set,
    /// Adds a value.
    Add,
    /// Replaces it with the HTTP date `value` ms from now.
    SetDate,
    /// Adds the HTTP date `value` ms from now.
    AddDate,
}

/// CORS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Allowed origins; `*` allows any.
    pub origins: Vec<String>,
    /// Allowed methods (Jetty's default: GET, POST, HEAD).
    pub methods: Vec<String>,
}

/// Every security setting of the REST server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RestSecurity {
    /// For `https://` entries of `listeners`.
    pub tls: Option<TlsSettings>,
    /// For `https://` entries of `admin.listeners` (`admin.listeners.https.*`, else `ssl.*`).
    pub admin_tls: Option<TlsSettings>,
    /// `admin.listeners`: `None` serves `/admin` on `listeners`; empty disables it.
    pub admin_listeners: Option<Vec<String>>,
    /// CORS, when `access.control.allow.origin` is set.
    pub cors: Option<Cors>,
    /// `response.http.headers.config`.
    pub response_headers: Vec<HeaderRule>,
    /// Basic authentication: user → password (empty: everyone is let in, as Apache).
    pub basic_auth: Option<BTreeMap<String, String>>,
}

fn get<'a>(props: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    props.get(key).map(|v| v.trim())
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A listener's scheme and `host:port` part.
pub fn split_listener(listener: &str) -> Result<(Scheme, &str), String> {
    let lower = listener.to_ascii_lowercase();
    if lower.starts_with("http://") {
        Ok((Scheme::Http, &listener["http://".len()..]))
    } else if lower.starts_with("https://") {
        Ok((Scheme::Https, &listener["https://".len()..]))
    } else {
        Err(format!(
            "Listener {listener} must start with http:// or https://"
        ))
    }
}

impl RestSecurity {
    /// Reads and checks the settings; `listeners` are the worker's.
    pub fn parse(
        props: &HashMap<String, String>,
        listeners: &[String],
    ) -> Result<RestSecurity, ConfigError> {
        let admin_listeners = props.get(ADMIN_LISTENERS_CONFIG).map(|v| list(v));
        for l in listeners.iter().chain(admin_listeners.iter().flatten()) {
            split_listener(l).map_err(|e| {
                ConfigError::invalid(crate::config::worker_config::LISTENERS_CONFIG, Some(l), e)
            })?;
        }
        let https = |ls: &[String]| {
            ls.iter()
                .any(|l| matches!(split_listener(l), Ok((Scheme::Https, _))))
        };
        let tls = if https(listeners) {
            Some(TlsSettings::parse(props, "listeners.https.")?)
        } else {
            None
        };
        let admin_tls = match &admin_listeners {
            Some(ls) if https(ls) => Some(TlsSettings::parse(props, "admin.listeners.https.")?),
            _ => None,
        };
        let cors = match get(props, ACCESS_CONTROL_ALLOW_ORIGIN_CONFIG) {
            None | Some("") => None,
            Some(origins) => {
                let methods = get(props, ACCESS_CONTROL_ALLOW_METHODS_CONFIG)
                    .map(list)
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| vec!["GET".into(), "POST".into(), "HEAD".into()]);
                Some(Cors {
                    origins: list(origins),
                    methods,
                })
            }
        };
        let response_headers = match get(props, RESPONSE_HTTP_HEADERS_CONFIG) {
            None | Some("") => Vec::new(),
            Some(v) => parse_header_rules(v)
                .map_err(|e| ConfigError::invalid(RESPONSE_HTTP_HEADERS_CONFIG, Some(v), e))?,
        };
        let extensions = get(props, REST_EXTENSION_CLASSES_CONFIG)
            .map(list)
            .unwrap_or_default();
        let mut basic_auth = None;
        for class in &extensions {
            if class == BASIC_AUTH_EXTENSION || class == "BasicAuthSecurityRestExtension" {
                basic_auth = Some(load_credentials(props).map_err(|e| {
                    ConfigError::invalid(REST_EXTENSION_CLASSES_CONFIG, Some(class), e)
                })?);
            } else {
                return Err(ConfigError::invalid(
                    REST_EXTENSION_CLASSES_CONFIG,
                    Some(class),
                    format!("Unknown REST extension; the one available is {BASIC_AUTH_EXTENSION}"),
                ));
            }
        }
        Ok(RestSecurity {
            tls,
            admin_tls,
            admin_listeners,
            cors,
            response_headers,
            basic_auth,
        })
    }
}

impl TlsSettings {
    /// The settings under `prefix` (`listeners.https.`) when any key has it, else the
    /// worker's own `ssl.*` (Apache's `valuesWithPrefixAllOrNothing`).
    pub fn parse(
        props: &HashMap<String, String>,
        prefix: &str,
    ) -> Result<TlsSettings, ConfigError> {
        let prefixed = props.keys().any(|k| k.starts_with(prefix));
        let name = |key: &str| {
            if prefixed {
                format!("{prefix}{key}")
            } else {
                key.to_owned()
            }
        };
        let value = |key: &str| {
            props
                .get(&name(key))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let keystore_type = value("ssl.keystore.type")
            .unwrap_or_else(|| "JKS".to_owned())
            .to_ascii_uppercase();
        let settings = TlsSettings {
            keystore_location: value("ssl.keystore.location").map(PathBuf::from),
            keystore_password: value("ssl.keystore.password"),
            key_password: value("ssl.key.password"),
            certificate_chain: value("ssl.keystore.certificate.chain"),
            key: value("ssl.keystore.key"),
            truststore_type: value("ssl.truststore.type")
                .unwrap_or_else(|| "JKS".to_owned())
                .to_ascii_uppercase(),
            truststore_location: value("ssl.truststore.location").map(PathBuf::from),
            truststore_password: value("ssl.truststore.password"),
            truststore_certificates: value("ssl.truststore.certificates"),
            client_auth: match value("ssl.client.auth")
                .unwrap_or_else(|| "none".to_owned())
                .to_ascii_lowercase()
                .as_str()
            {
                "none" => ClientAuth::None,
                "requested" => ClientAuth::Requested,
                "required" => ClientAuth::Required,
                other => {
                    return Err(ConfigError::invalid(
                        name("ssl.client.auth"),
                        Some(other),
                        "String must be one of: required, requested, none",
                    ))
                }
            },
            // PEM given inline needs no type; a file without a type is Java's default, JKS.
            keystore_type: if value("ssl.keystore.key").is_some()
                && value("ssl.keystore.type").is_none()
            {
                "PEM".to_owned()
            } else {
                keystore_type
            },
        };
        for (key, t) in [
            ("ssl.keystore.type", &settings.keystore_type),
            ("ssl.truststore.type", &settings.truststore_type),
        ] {
            match t.as_str() {
                "PEM" | "PKCS12" => {}
                "JKS" if key == "ssl.truststore.type"
                    && settings.truststore_location.is_none()
                    && settings.truststore_certificates.is_none() => {}
                "JKS" => {
                    return Err(ConfigError::invalid(
                        name(key),
                        Some(t),
                        "JKS keystores are not supported: convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12) or PEM",
                    ))
                }
                _ => {
                    return Err(ConfigError::invalid(
                        name(key),
                        Some(t),
                        "String must be one of: PEM, PKCS12",
                    ))
                }
            }
        }
        if settings.keystore_location.is_none() && settings.key.is_none() {
            return Err(ConfigError::invalid(
                name("ssl.keystore.location"),
                None,
                "An https:// listener needs a keystore: ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain",
            ));
        }
        if settings.client_auth != ClientAuth::None
            && settings.truststore_location.is_none()
            && settings.truststore_certificates.is_none()
        {
            return Err(ConfigError::invalid(
                name("ssl.client.auth"),
                None,
                "Client authentication needs a truststore (ssl.truststore.location or ssl.truststore.certificates)",
            ));
        }
        Ok(settings)
    }
}

/// Parses Jetty's `[action] [name]:[value]` rules, comma-separated, as Apache validates them.
pub fn parse_header_rules(config: &str) -> Result<Vec<HeaderRule>, String> {
    config
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|rule| {
            let invalid = || {
                format!("Invalid format of header config '{rule}'. Expected: '[action] [header name]:[header value]'")
            };
            let (action, header) = rule.split_once(char::is_whitespace).ok_or_else(invalid)?;
            let action = match action.to_ascii_lowercase().as_str() {
                "set" => HeaderAction::Set,
                "add" => HeaderAction::Add,
                "setdate" => HeaderAction::SetDate,
                "adddate" => HeaderAction::AddDate,
                _ => {
                    return Err(format!(
                        "Invalid header config action: '{action}'. Expected one of [set, add, setDate, addDate]"
                    ))
                }
            };
            let (name, value) = header.split_once(':').ok_or_else(|| {
                format!("Invalid header name and value pair: '{}'. Expected: '[header name]:[header value]'", header.trim())
            })?;
            let (name, value) = (name.trim(), value.trim());
            if name.is_empty() || axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("Invalid header name in '{rule}'"));
            }
            if matches!(action, HeaderAction::SetDate | HeaderAction::AddDate)
                && value.parse::<i64>().is_err()
            {
                return Err(format!(
                    "Invalid date offset in '{rule}': milliseconds from now expected"
                ));
            }
            if axum::http::HeaderValue::from_str(value).is_err() {
                return Err(format!("Invalid header value in '{rule}'"));
            }
            Ok(HeaderRule {
                action,
                name: name.to_owned(),
                value: value.to_owned(),
            })
        })
        .collect()
}

/// The JAAS file: `KAFKA_OPTS`'s `-Djava.security.auth.login.config=…` (as Apache's users set
/// it), else [`BASIC_AUTH_JAAS_CONFIG`].
fn jaas_path(props: &HashMap<String, String>) -> Option<PathBuf> {
    const FLAG: &str = "-Djava.security.auth.login.config=";
    std::env::var("KAFKA_OPTS")
        .ok()
        .and_then(|opts| {
            opts.split_whitespace()
                .find_map(|o| o.strip_prefix(FLAG).map(|p| p.trim_matches('"').to_owned()))
        })
        .or_else(|| get(props, BASIC_AUTH_JAAS_CONFIG).map(str::to_owned))
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// The credentials the `KafkaConnect` section of the JAAS file names.
fn load_credentials(props: &HashMap<String, String>) -> Result<BTreeMap<String, String>, String> {
    let path = jaas_path(props).ok_or_else(|| {
        format!("Basic authentication needs a JAAS file: set {BASIC_AUTH_JAAS_CONFIG} or -Djava.security.auth.login.config= in KAFKA_OPTS")
    })?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("Could not read the JAAS file {}: {e}", path.display()))?;
    let file = credentials_file(&text).map_err(|e| format!("JAAS file {}: {e}", path.display()))?;
    let credentials = std::fs::File::open(&file)
        .map_err(|e| format!("Error loading Property Credentials file {file}: {e}"))?;
    let map = java_properties::read(std::io::BufReader::new(credentials))
        .map_err(|e| format!("Error loading Property Credentials file {file}: {e}"))?;
    if map.is_empty() {
        tracing::warn!(
            "Credential properties file '{file}' is empty; all requests will be permitted"
        );
    }
    Ok(map.into_iter().collect())
}

/// The `file` option of the `PropertyFileLoginModule` in the `KafkaConnect` section.
fn credentials_file(jaas: &str) -> Result<String, String> {
    let start = jaas.find("KafkaConnect").ok_or("no KafkaConnect section")?;
    let body = &jaas[start..];
    let open = body
        .find('{')
        .ok_or("the KafkaConnect section has no '{'")?;
    let close = body
        .find("};")
        .ok_or("the KafkaConnect section has no '};'")?;
    let section = body
        .get(open + 1..close)
        .ok_or("the KafkaConnect section is malformed")?
        .trim();
    let module = section.split_whitespace().next().unwrap_or_default();
    if module != PROPERTY_FILE_LOGIN_MODULE && module != "PropertyFileLoginModule" {
        return Err(format!(
            "login module {module} is not supported; use {PROPERTY_FILE_LOGIN_MODULE}"
        ));
    }
    let at = section
        .find("file")
        .ok_or("Property Credentials file must be specified")?;
    let rest = section[at + "file".len()..].trim_start();
    let rest = rest
        .strip_prefix('=')
        .ok_or("Property Credentials file must be specified")?
        .trim_start();
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or_default(),
        None => rest
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or_default(),
    };
    if value.is_empty() {
        return Err("Property Credentials file must be specified".into());
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(kv: &[(&str, &str)]) -> HashMap<String, String> {
        kv.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn header_rules_as_apache_validates_them() {
        let rules = parse_header_rules(
            "set X-Frame-Options: DENY, add Cache-Control: no-cache, setDate Expires: 31540000000",
        )
        .unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].action, HeaderAction::Set);
        assert_eq!(rules[0].name, "X-Frame-Options");
        assert_eq!(rules[0].value, "DENY");
        assert_eq!(rules[2].action, HeaderAction::SetDate);
        assert!(parse_header_rules("set")
            .unwrap_err()
            .contains("Invalid format"));
        // As Apache: the first word is taken for the action.
        assert!(parse_header_rules("X-Frame-Options: DENY")
            .unwrap_err()
            .contains("Invalid header config action"));
        assert!(parse_header_rules("put X-A: b")
            .unwrap_err()
            .contains("Invalid header config action"));
        assert!(parse_header_rules("set X-A b")
            .unwrap_err()
            .contains("Invalid header name and value pair"));
        assert!(parse_header_rules("setDate Expires: soon").is_err());
    }

    #[test]
    fn tls_keys_come_from_the_prefix_or_else_the_worker() {
        let t = TlsSettings::parse(
            &props(&[
                ("ssl.keystore.location", "/w.p12"),
                ("ssl.keystore.type", "PKCS12"),
            ]),
            "listeners.https.",
        )
        .unwrap();
        assert_eq!(t.keystore_location, Some(PathBuf::from("/w.p12")));
        // Any prefixed key: only prefixed keys count.
        let err = TlsSettings::parse(
            &props(&[
                ("ssl.keystore.location", "/w.p12"),
                ("listeners.https.ssl.keystore.type", "PKCS12"),
            ]),
            "listeners.https.",
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("listeners.https.ssl.keystore.location"));
        let err = TlsSettings::parse(
            &props(&[("ssl.keystore.location", "/w.jks")]),
            "listeners.https.",
        )
        .unwrap_err();
        assert!(err.to_string().contains("convert it to PKCS12"), "{err}");
        let err = TlsSettings::parse(
            &props(&[
                ("ssl.keystore.location", "/w.pem"),
                ("ssl.keystore.type", "PEM"),
                ("ssl.client.auth", "required"),
            ]),
            "listeners.https.",
        )
        .unwrap_err();
        assert!(err.to_string().contains("truststore"), "{err}");
    }

    #[test]
    fn admin_listeners_unset_empty_or_listed() {
        let l = vec!["http://:8083".to_owned()];
        assert_eq!(
            RestSecurity::parse(&props(&[]), &l)
                .unwrap()
                .admin_listeners,
            None
        );
        assert_eq!(
            RestSecurity::parse(&props(&[("admin.listeners", "")]), &l)
                .unwrap()
                .admin_listeners,
            Some(vec![])
        );
        assert!(RestSecurity::parse(&props(&[("admin.listeners", "ftp://:1")]), &l).is_err());
    }

    #[test]
    fn the_jaas_file_names_the_credentials() {
        let jaas = r#"KafkaConnect {
  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
  file="/etc/connect/credentials.properties";
};"#;
        assert_eq!(
            credentials_file(jaas).unwrap(),
            "/etc/connect/credentials.properties"
        );
        assert!(credentials_file("Other { x required; };").is_err());
        assert!(
            credentials_file("KafkaConnect { com.example.Ldap required file=\"/x\"; };")
                .unwrap_err()
                .contains("not supported")
        );
    }
}
