//! `InsertHeader`: appends a header with a literal value.
//!
//! Mirrors `org.apache.kafka.connect.transforms.InsertHeader`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `header` | STRING | required | the header key |
//! | `value.literal` | STRING | required | parsed once with `Values.parseString` (numbers, booleans, dates, arrays, maps, or a string) |

use std::collections::HashMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, NonNullValidator};
use connect_api::connector::ConnectRecord;
use connect_api::data::{values, SchemaAndValue};
use connect_api::errors::Result;
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;

/// The `header` key.
pub const HEADER_FIELD: &str = "header";
/// The `value.literal` key.
pub const VALUE_LITERAL_FIELD: &str = "value.literal";

/// Appends a header with a fixed value (Apache's `InsertHeader`); same-named headers are kept.
#[derive(Debug, Default)]
pub struct InsertHeader {
    header: String,
    literal: SchemaAndValue,
}

/// The definition of InsertHeader's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(HEADER_FIELD, ConfigType::String)
                .validator(NonNullValidator)
                .importance(Importance::High)
                .doc("The name of the header."),
        )
        .define(
            ConfigKey::new(VALUE_LITERAL_FIELD, ConfigType::String)
                .validator(NonNullValidator)
                .importance(Importance::High)
                .doc("The literal value that is to be set as the header value on all records."),
        )
}

impl<R: ConnectRecord> Transformation<R> for InsertHeader {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.header = config.string(HEADER_FIELD).unwrap_or_default().to_owned();
        let literal = config.string(VALUE_LITERAL_FIELD).unwrap_or_default();
        self.literal = values::parse_string(literal).unwrap_or(SchemaAndValue::NULL);
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        record.headers_mut().add_value(
            self.header.clone(),
            self.literal.schema.clone(),
            self.literal.value.clone(),
        );
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    InsertHeader,
    class = "org.apache.kafka.connect.transforms.InsertHeader"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::{Value, INT8_SCHEMA, STRING_SCHEMA};
    use connect_api::source::SourceRecord;

    fn run(literal: &str) -> SourceRecord {
        let mut x = InsertHeader::default();
        Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("header", "inserted"), ("value.literal", literal)]),
        )
        .unwrap();
        let mut r = source(None, Value::Null, None, Value::Null);
        r.headers.add_string("existing", Some("existing-value"));
        x.apply(r).unwrap().unwrap()
    }

    #[test]
    fn insert_header_test() {
        let out = run("inserted-value");
        let h: Vec<_> = out.headers.iter().collect();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].key, "existing");
        assert_eq!(h[1].key, "inserted");
        assert_eq!(h[1].value, Value::from("inserted-value"));
        assert_eq!(h[1].schema, Some(STRING_SCHEMA.clone()));
        let out = run("1");
        let h = out.headers.last_with_name("inserted").unwrap();
        assert_eq!(h.value, Value::Int8(1));
        assert_eq!(h.schema, Some(INT8_SCHEMA.clone()));
        let out = run("");
        assert_eq!(
            out.headers.last_with_name("inserted").unwrap().value,
            Value::from("")
        );
    }

    #[test]
    fn missing_config() {
        let mut x = InsertHeader::default();
        assert!(
            Transformation::<SourceRecord>::configure(&mut x, &props(&[("header", "h")])).is_err()
        );
        assert!(Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("value.literal", "v")])
        )
        .is_err());
    }
}
