//! Apache's standalone offsets file (`offset.storage.file.filename` of `ConnectStandalone`):
//! a Java-serialized `HashMap<byte[], byte[]>` of the JSON key and value bytes, written by
//! `ObjectOutputStream.writeObject`. Read here so that a worker replacing Apache's keeps the
//! positions its connectors had; this worker writes its own format afterwards.
//!
//! Only what that one object needs is understood (Java Object Serialization Stream Protocol,
//! version 5): the `java.util.HashMap` class description and its `writeObject` data, `byte[]`
//! arrays, `null`, and back references to the `byte[]` class description or to an array.

/// Whether `bytes` start as a Java serialization stream (`0xACED`, version 5).
pub(super) fn is_java_serialized(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xAC, 0xED, 0x00, 0x05])
}

const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_ARRAY: u8 = 0x75;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
/// The first handle a stream assigns.
const BASE_HANDLE: u32 = 0x7E_0000;

/// What a handle names.
#[derive(Clone)]
enum Handle {
    Class(String),
    Array(Vec<u8>),
    Other,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    handles: Vec<Handle>,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!("the file ends early, at byte {}", self.bytes.len()));
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn utf(&mut self) -> Result<String, String> {
        let n = self.u16()? as usize;
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }

    fn expect(&mut self, tag: u8, what: &str) -> Result<(), String> {
        let at = self.at;
        let got = self.u8()?;
        if got == tag {
            Ok(())
        } else {
            Err(format!(
                "expected {what} (0x{tag:02x}) at byte {at}, found 0x{got:02x}"
            ))
        }
    }

    fn handle(&self, h: u32) -> Result<&Handle, String> {
        h.checked_sub(BASE_HANDLE)
            .and_then(|i| self.handles.get(i as usize))
            .ok_or_else(|| format!("unknown back reference 0x{h:08x}"))
    }

    /// A class description (new or a back reference); returns the class name.
    fn class_desc(&mut self) -> Result<String, String> {
        match self.u8()? {
            TC_CLASSDESC => {
                let name = self.utf()?;
                self.take(8)?; // serialVersionUID
                self.handles.push(Handle::Class(name.clone()));
                self.take(1)?; // flags
                let fields = self.u16()?;
                for _ in 0..fields {
                    let code = self.u8()?;
                    self.utf()?;
                    if code == b'L' || code == b'[' {
                        // The field's type, as a string object.
                        match self.u8()? {
                            0x74 => {
                                let s = self.utf()?;
                                self.handles.push(Handle::Class(s));
                            }
                            TC_REFERENCE => {
                                self.u32()?;
                            }
                            other => {
                                return Err(format!("unexpected field type tag 0x{other:02x}"))
                            }
                        }
                    }
                }
                self.expect(TC_ENDBLOCKDATA, "the end of the class annotation")?;
                // The superclass: none for HashMap (AbstractMap is not serializable) and
                // byte[].
                self.expect(TC_NULL, "no superclass")?;
                Ok(name)
            }
            TC_REFERENCE => {
                let h = self.u32()?;
                match self.handle(h)? {
                    Handle::Class(name) => Ok(name.clone()),
                    _ => Err(format!("back reference 0x{h:08x} is not a class")),
                }
            }
            other => Err(format!(
                "expected a class description at byte {}, found 0x{other:02x}",
                self.at - 1
            )),
        }
    }

    /// A `byte[]` or `null`.
    fn bytes_or_null(&mut self) -> Result<Option<Vec<u8>>, String> {
        match self.u8()? {
            TC_NULL => Ok(None),
            TC_ARRAY => {
                let class = self.class_desc()?;
                if class != "[B" {
                    return Err(format!("expected a byte[], found an array of {class}"));
                }
                let n = self.u32()? as usize;
                let data = self.take(n)?.to_vec();
                self.handles.push(Handle::Array(data.clone()));
                Ok(Some(data))
            }
            TC_REFERENCE => {
                let h = self.u32()?;
                match self.handle(h)? {
                    Handle::Array(data) => Ok(Some(data.clone())),
                    _ => Err(format!("back reference 0x{h:08x} is not a byte[]")),
                }
            }
            other => Err(format!(
                "expected a byte[] or null at byte {}, found 0x{other:02x}",
                self.at - 1
            )),
        }
    }
}

/// The entries of an Apache offsets file: (key, value) bytes, `None` for a null value.
pub(super) type Entries = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// Reads an Apache offsets file.
pub(super) fn parse(bytes: &[u8]) -> Result<Entries, String> {
    if !is_java_serialized(bytes) {
        return Err("not a Java serialization stream".to_owned());
    }
    let mut r = Reader {
        bytes,
        at: 4,
        handles: Vec::new(),
    };
    r.expect(TC_OBJECT, "an object")?;
    let class = r.class_desc()?;
    if class != "java.util.HashMap" {
        return Err(format!("expected a java.util.HashMap, found a {class}"));
    }
    r.handles.push(Handle::Other); // the map itself
    r.take(8)?; // loadFactor, threshold
    r.expect(TC_BLOCKDATA, "the map's block data")?;
    if r.u8()? != 8 {
        return Err("unexpected size of the map's block data".to_owned());
    }
    r.u32()?; // buckets
    let size = r.u32()?;
    let mut out = Vec::with_capacity(size.min(1 << 16) as usize);
    for _ in 0..size {
        let Some(key) = r.bytes_or_null()? else {
            return Err("an entry has a null key".to_owned());
        };
        let value = r.bytes_or_null()?;
        out.push((key, value));
    }
    r.expect(TC_ENDBLOCKDATA, "the end of the map")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by Java 17's `ObjectOutputStream` from a `HashMap<byte[], byte[]>` of two
    /// entries, one with a null value, as Apache's `FileOffsetBackingStore` writes them.
    const JAVA_FILE: &[u8] = &[
        0xac, 0xed, 0x00, 0x05, 0x73, 0x72, 0x00, 0x11, 0x6a, 0x61, 0x76, 0x61, 0x2e, 0x75, 0x74,
        0x69, 0x6c, 0x2e, 0x48, 0x61, 0x73, 0x68, 0x4d, 0x61, 0x70, 0x05, 0x07, 0xda, 0xc1, 0xc3,
        0x16, 0x60, 0xd1, 0x03, 0x00, 0x02, 0x46, 0x00, 0x0a, 0x6c, 0x6f, 0x61, 0x64, 0x46, 0x61,
        0x63, 0x74, 0x6f, 0x72, 0x49, 0x00, 0x09, 0x74, 0x68, 0x72, 0x65, 0x73, 0x68, 0x6f, 0x6c,
        0x64, 0x78, 0x70, 0x3f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x77, 0x08, 0x00, 0x00,
        0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x75, 0x72, 0x00, 0x02, 0x5b, 0x42, 0xac, 0xf3, 0x17,
        0xf8, 0x06, 0x08, 0x54, 0xe0, 0x02, 0x00, 0x00, 0x78, 0x70, 0x00, 0x00, 0x00, 0x22, 0x5b,
        0x22, 0x73, 0x72, 0x63, 0x22, 0x2c, 0x7b, 0x22, 0x66, 0x69, 0x6c, 0x65, 0x6e, 0x61, 0x6d,
        0x65, 0x22, 0x3a, 0x22, 0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x69, 0x6e, 0x2e, 0x74, 0x78, 0x74,
        0x22, 0x7d, 0x5d, 0x75, 0x71, 0x00, 0x7e, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0f, 0x7b, 0x22,
        0x70, 0x6f, 0x73, 0x69, 0x74, 0x69, 0x6f, 0x6e, 0x22, 0x3a, 0x34, 0x32, 0x7d, 0x75, 0x71,
        0x00, 0x7e, 0x00, 0x02, 0x00, 0x00, 0x00, 0x23, 0x5b, 0x22, 0x6f, 0x74, 0x68, 0x65, 0x72,
        0x22, 0x2c, 0x7b, 0x22, 0x66, 0x69, 0x6c, 0x65, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22,
        0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x62, 0x2e, 0x74, 0x78, 0x74, 0x22, 0x7d, 0x5d, 0x70, 0x78,
    ];

    #[test]
    fn apaches_offsets_file_is_read() {
        let entries = parse(JAVA_FILE).unwrap();
        assert_eq!(
            entries,
            vec![
                (
                    br#"["src",{"filename":"/tmp/in.txt"}]"#.to_vec(),
                    Some(br#"{"position":42}"#.to_vec())
                ),
                (br#"["other",{"filename":"/tmp/b.txt"}]"#.to_vec(), None),
            ]
        );
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        for cut in 0..JAVA_FILE.len() {
            assert!(parse(&JAVA_FILE[..cut]).is_err(), "cut at {cut}");
        }
        let mut wrong = JAVA_FILE.to_vec();
        wrong[8] = b'X';
        assert!(parse(&wrong).is_err());
    }
}
