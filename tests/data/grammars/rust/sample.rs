use std::collections::HashMap;
use std::io::{self, Read as IoRead, Write};
use crate::config::*;
use super::store::Backend as Store;
mod cache;

pub const MAX_ENTRIES: usize = 128;
static GREETING: &str = "hello";

pub type Result<T> = std::result::Result<T, CacheError>;

#[derive(Debug)]
pub enum CacheError {
    Missing(String),
    Io(io::Error),
}

pub struct Cache<S: Store> {
    entries: HashMap<String, Vec<u8>>,
    backend: S,
}

pub trait Evict {
    fn evict(&mut self, key: &str) -> bool;

    fn clear(&mut self) {
        while self.evict("") {}
    }
}

impl<S: Store> Cache<S> {
    pub fn new(backend: S) -> Self {
        Cache { entries: HashMap::new(), backend }
    }

    pub fn get(&mut self, key: &str) -> Result<&[u8]> {
        if !self.entries.contains_key(key) {
            let value = self.backend.load(key).map_err(CacheError::Io)?;
            self.entries.insert(key.to_string(), value);
        } else {
            log::debug!("hit {}", key);
        }
        match self.entries.get(key) {
            Some(value) => Ok(value),
            None => Err(CacheError::Missing(key.to_owned())),
        }
    }
}

impl<S: Store> Evict for Cache<S> {
    fn evict(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }
}

fn read_all(mut reader: impl IoRead) -> io::Result<String> {
    let mut text = String::new();
    for _ in 0..3 {
        if reader.read_to_string(&mut text).is_ok() {
            break;
        }
    }
    let trim = |s: &str| {
        s.trim().to_string()
    };
    Ok(trim(&text))
}

mod tests {
    use super::*;

    #[test]
    fn reads_nothing() {
        assert_eq!(read_all(io::empty()).unwrap(), "");
    }
}

macro_rules! cached {
    ($e:expr) => {
        $e
    };
}
