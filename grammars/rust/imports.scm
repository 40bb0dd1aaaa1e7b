; Like Python's `from a import b`: @import.source is the path the names are taken from
; (`std::collections` in `use std::collections::HashMap;`), @import.name each name bound.

; use std::collections::HashMap;
(use_declaration
  argument: (scoped_identifier
    path: (_) @import.source
    name: (identifier) @import.name)) @import

; use foo;
(use_declaration
  argument: (identifier) @import.source @import.name) @import

; use a::b::C as D;  /  use foo as bar;
(use_declaration
  argument: (use_as_clause
    path: [
      (scoped_identifier path: (_) @import.source)
      (identifier) @import.source
    ]
    alias: (identifier) @import.name)) @import

; use std::io::{self, Read as R, Write, fs::File};
(use_declaration
  argument: (scoped_use_list
    path: (_) @import.source
    list: (use_list
      [
        (identifier) @import.name
        (use_as_clause alias: (identifier) @import.name)
        (scoped_identifier name: (identifier) @import.name)
      ]))) @import

; use std::io::{self};  (binds the module itself; the name is the last segment of the path)
(use_declaration
  argument: (scoped_use_list
    path: (_) @import.source
    list: (use_list (self)))) @import

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
