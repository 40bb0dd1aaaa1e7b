; @import.source is the whole path (`crate::config` in `use crate::config;` is the module's file,
; config.rs; `crate::store::Backend` an item of store.rs, tried after store/Backend.rs), or the
; whole use tree of a `{...}` list, whose paths the resolver reads (`crate::{config, store::Backend}`);
; @import.name each name bound.

; use std::collections::HashMap;  /  use crate::config;
(use_declaration
  argument: (scoped_identifier
    name: (identifier) @import.name) @import.source) @import

; use foo;
(use_declaration
  argument: (identifier) @import.source @import.name) @import

; use a::b::C as D;  /  use foo as bar;
(use_declaration
  argument: (use_as_clause
    path: (_) @import.source
    alias: (identifier) @import.name)) @import

; use std::io::{self, Read as R, Write, fs::File};  /  use crate::{config::{load, Settings}, store};
; The source is the whole tree (also of a list with no name of its own: `crate::{a::{b, c}}`);
; the names are those of its first list.
(use_declaration
  argument: (scoped_use_list) @import.source) @import

(use_declaration
  argument: (scoped_use_list
    list: (use_list
      [
        (identifier) @import.name
        (use_as_clause alias: (identifier) @import.name)
        (scoped_identifier name: (identifier) @import.name)
      ])) @import.source) @import

; use crate::config::*;
(use_declaration
  argument: (use_wildcard (_) @import.source)) @import

; extern crate foo;  /  extern crate foo as bar;
(extern_crate_declaration
  name: (identifier) @import.source @import.name
  !alias) @import

(extern_crate_declaration
  name: (identifier) @import.source
  alias: (identifier) @import.name) @import

; mod store;  (a module in a file of its own: store.rs or store/mod.rs beside this module's)
(mod_item
  name: (identifier) @import.source
  !body) @import
