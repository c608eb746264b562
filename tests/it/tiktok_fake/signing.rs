//! The request signature as the fake recomputes it, a signer for tests' raw requests, and the
//! opaque page tokens (base64 that always holds `+`, `/` and `=`, so an unencoded one breaks).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::model::{APP_KEY, APP_SECRET, hash_str, unix_now};

/// The signature of a request under [`APP_SECRET`]: the query parameters (decoded) except
/// `sign` and `access_token`, sorted by key, as `{key}{value}`, after the path and before the
/// body (empty for a GET); wrapped in the secret on both sides; lowercase hex HMAC-SHA256 keyed
/// with the secret.
pub fn sign(path: &str, query: &[(&str, &str)], body: &str) -> String {
    signature(path, query.iter().copied(), body.as_bytes())
}

pub(crate) fn signature<'a>(
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    body: &[u8],
) -> String {
    let mut params: Vec<(&str, &str)> = query
        .filter(|(k, _)| *k != "sign" && *k != "access_token")
        .collect();
    params.sort_by_key(|(k, _)| *k);
    let mut mac =
        Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).expect("HMAC takes any key");
    mac.update(APP_SECRET.as_bytes());
    mac.update(path.as_bytes());
    for (k, v) in params {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    mac.update(body);
    mac.update(APP_SECRET.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// `params` plus `app_key` and `timestamp` (now) and their `sign`, URL-encoded as a query
/// string (no `?`): what a correct client sends. `body` is empty for a GET.
pub fn signed_query(path: &str, params: &[(&str, &str)], body: &str) -> String {
    signed_query_at(path, params, body, unix_now())
}

/// [`signed_query`] with this `timestamp` (Unix seconds).
pub fn signed_query_at(path: &str, params: &[(&str, &str)], body: &str, timestamp: i64) -> String {
    let timestamp = timestamp.to_string();
    let mut all: Vec<(&str, &str)> = params.to_vec();
    all.push(("app_key", APP_KEY));
    all.push(("timestamp", &timestamp));
    let sign = sign(path, &all, body);
    all.push(("sign", &sign));
    encode_query(&all)
}

/// `application/x-www-form-urlencoded` text of `pairs` (`+` → `%2B`, `/` → `%2F`...).
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        serializer.append_pair(k, v);
    }
    serializer.finish()
}

/// Decoded query pairs (`+` is a space, `%XX` a byte), in order.
pub(crate) fn decode_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

// ---- page tokens ----

/// Three bytes that encode as `+//+`... at the start of every token.
const TOKEN_MAGIC: [u8; 3] = [0xfb, 0xff, 0xfe];
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// An opaque token for `fields` (none may hold `|`): standard base64 with padding, always with
/// `+`, `/` and `=` in it.
pub(crate) fn page_token(fields: &[&str]) -> String {
    let payload = fields.join("|");
    let mut bytes = TOKEN_MAGIC.to_vec();
    bytes.extend_from_slice(payload.as_bytes());
    bytes.extend_from_slice(format!("|{:016x}", checksum(&payload)).as_bytes());
    while bytes.len() % 3 != 1 {
        bytes.push(b'#');
    }
    base64(&bytes)
}

/// The fields of a token made by [`page_token`]; `None` when it is not one.
pub(crate) fn read_page_token(token: &str) -> Option<Vec<String>> {
    let bytes = unbase64(token)?;
    let rest = bytes.strip_prefix(&TOKEN_MAGIC[..])?;
    let text = std::str::from_utf8(rest).ok()?.trim_end_matches('#');
    let (payload, sum) = text.rsplit_once('|')?;
    (sum == format!("{:016x}", checksum(payload)))
        .then(|| payload.split('|').map(str::to_owned).collect())
}

fn checksum(payload: &str) -> u64 {
    hash_str(&format!("{APP_SECRET}{payload}"))
}

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if text.is_empty() || !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for (index, chunk) in text.chunks(4).enumerate() {
        let last = index == text.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk[..4 - pad].iter().enumerate() {
            let value = ALPHABET.iter().position(|a| a == c)? as u32;
            n |= value << (18 - 6 * i);
        }
        for i in 0..3 - pad {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
