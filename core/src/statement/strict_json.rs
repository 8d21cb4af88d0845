//! Strict JSON reading for signed formats (statements, envelopes, entries).
//!
//! serde's derived struct visitors accept a JSON *array* as well as an object
//! (`["withdrawal","Acme",3,...]` would fill the fields in order). Signed formats must
//! have one spelling, so structs are read through [`ObjectOnly`], which turns serde's
//! request for a struct into a request for a map: serde_json then rejects anything but
//! `{...}`. Nested structs use [`object`] / [`optional_object`] in `deserialize_with`.

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

/// Parses `bytes` as one `T` whose structs must all be JSON objects, with nothing but
/// whitespace after it.
pub(crate) fn from_slice<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(ObjectOnly(&mut deserializer))?;
    deserializer.end()?;
    Ok(value)
}

/// A nested struct field that must be a JSON object.
pub(crate) fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::deserialize(ObjectOnly(deserializer))
}

/// An optional nested struct field that must be a JSON object when present; `null` is
/// rejected (use with `#[serde(default)]`, so absence means `None`).
pub(crate) fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(ObjectOnly(deserializer)).map(Some)
}

/// An optional field whose `null` is an error: absent is the only way to say "none" (use
/// with `#[serde(default)]`).
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Wraps a deserializer so that a struct is read as a map (object syntax only). Derived
/// struct impls call only `deserialize_struct`; every other request passes through.
pub(crate) struct ObjectOnly<D>(pub(crate) D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
