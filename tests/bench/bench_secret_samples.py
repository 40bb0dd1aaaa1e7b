"""How many secrets of tools' own files reach the model: the files a user keeps under ``~/.config``
and in a project (Composer's ``auth.json``, a REST client's cookies, gcloud's scripts, pip's and
HTTPie's settings, a browser's cookie jar, end-to-end tests logged in by a cookie), written here
with FAKE secrets (random letters and digits, no vendor's shape but where the shape is what is
tested: ``ya29.``), each sent as the review sends a file (redacted whole) and as completion
prompts at each line's end, inside its first word and at its middle (the window and the suffix
redacted apart, a small budget so that a window starts inside a section). A secret counts as
leaked when any 8 characters of it are in anything sent. Files excluded by default are counted apart (never sent).

    PYTHONPATH=server python tests/bench/bench_secret_samples.py [-v]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import string
from collections.abc import Callable

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import is_excluded, redact
from deepseek_lsp.prompts import build_fim_prompt

_RANDOM = random.Random(47)


def fake(size: int = 24) -> str:
    """A fake secret: letters and digits (a digit and a capital in it), no vendor's prefix."""
    return "Fk" + "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(size - 4)) + "9Q"


def fakes(secrets: list[str], count: int, size: int = 32) -> list[str]:
    """``count`` fake secrets, kept in ``secrets`` (the sample's, to look for in what is sent)."""
    made = [fake(size) for _ in range(count)]
    secrets += made
    return made


def _hosts(section: str, count: int, secrets: list[str], indent: str = "        ") -> str:
    lines = []
    for n in range(count):
        secrets.append(fake(40))
        lines.append(f'{indent}"{section}{n}.example.com": "{secrets[-1]}"')
    return ",\n".join(lines)


def composer_auth(secrets: list[str]) -> str:
    """~/.config/composer/auth.json: every section Composer reads, several hosts each."""
    basic = [
        f'        "repo{n}.example.org": {{\n            "username": "deploy",\n            "password": "{password}"\n        }}'
        for n, password in enumerate(fakes(secrets, 2, 24))
    ]
    return (
        '{\n    "http-basic": {\n' + ",\n".join(basic) + "\n    },\n"
        + '    "github-oauth": {\n' + _hosts("github", 4, secrets) + "\n    },\n"
        + '    "gitlab-token": {\n' + _hosts("gitlab", 3, secrets) + "\n    },\n"
        + '    "bearer": {\n' + _hosts("packages", 3, secrets) + "\n    }\n}\n"
    )


def composer_json(secrets: list[str]) -> str:
    """A project's composer.json with its config's tokens (Composer reads them there too)."""
    return (
        '{\n    "name": "acme/shop",\n    "require": {\n        "php": "^8.2",\n        "monolog/monolog": "^3.0"\n    },\n'
        + '    "config": {\n        "sort-packages": true,\n        "github-oauth": {\n'
        + _hosts("github", 3, secrets, "            ")
        + "\n        }\n    }\n}\n"
    )


def rest_client(secrets: list[str]) -> str:
    """A REST client's requests.http, headers copied from a browser."""
    s = fakes(secrets, 5)
    return (
        "### Orders\nGET https://shop.example.com/api/orders\nAccept: application/json\n"
        f"Cookie: _ga=GA1.2.1234.5678; sessionid={s[0]}; theme=dark; laravel_session={s[1]}\n\n"
        "### Cart\nPOST https://shop.example.com/api/cart\nContent-Type: application/json\n"
        f"Cookie: lang=en; PHPSESSID={s[2]}; remember_web_59ba36={s[3]}; connect.sid=s%3A{s[4]}\n\n"
        '{"sku": "A-1", "qty": 2}\n'
    )


def curl_script(secrets: list[str]) -> str:
    s = fakes(secrets, 3)
    return (
        "#!/bin/sh\nset -eu\n"
        f"curl -sS -b 'locale=en; _session_id={s[0]}; user_remember_token={s[1]}' https://app.example.com/api/me\n"
        f"curl -sS -H 'Cookie: csrftoken=abc; sessionid={s[2]}' https://app.example.com/api/orders\n"
    )


def gcloud_script(secrets: list[str]) -> str:
    """A deploy script of gcloud's own examples' shapes."""
    s = fakes(secrets, 4, 28)
    token = "ya29.c.c0AS" + fake(120)
    secrets.append(token)
    return (
        "#!/bin/bash\nset -euo pipefail\nPROJECT=acme-prod\n"
        f"echo -n '{s[0]}' | gcloud secrets create db-password --data-file=- --project \"$PROJECT\"\n"
        f'printf "%s" "{s[1]}" | gcloud secrets versions add api-key --data-file=-\n'
        f"gcloud secrets versions add smtp-password --data-file=- <<< '{s[2]}'\n"
        f"gcloud sql users set-password root --host=% --instance=db --password={s[3]}\n"
        f"export CLOUDSDK_AUTH_ACCESS_TOKEN={token}\n"
        "gcloud run deploy api --image gcr.io/acme/api --region europe-west1\n"
        "gcloud identity groups search --labels=x --page-token=ala9glealanal908\n"
    )


def pip_conf(secrets: list[str]) -> str:
    """~/.config/pip/pip.conf: tokens as an index URL's user or password."""
    s = fakes(secrets, 2)
    return (
        "[global]\ntimeout = 60\n"
        f"index-url = https://__token__:{s[0]}@pypi.example.com/simple\n"
        f"extra-index-url = https://deploy:{s[1]}@nexus.example.com/repository/pypi/simple\n"
    )


def httpie_config(secrets: list[str]) -> str:
    (s,) = fakes(secrets, 1, 24)
    return '{\n    "default_options": [\n        "--style=fruity",\n        "--auth=deploy:' + s + '"\n    ]\n}\n'


def netscape_cookies(secrets: list[str]) -> str:
    """A browser's cookies exported for curl or yt-dlp (every line a login)."""
    s = fakes(secrets, 2)
    return (
        "# Netscape HTTP Cookie File\n# https://curl.se/docs/http-cookies.html\n\n"
        f".example.com\tTRUE\t/\tTRUE\t1767225600\tsessionid\t{s[0]}\n"
        f".example.com\tTRUE\t/\tFALSE\t1767225600\tremember_token\t{s[1]}\n"
    )


def browser_tests(secrets: list[str]) -> str:
    """An end-to-end test logged in by its session cookie (Playwright, Cypress, requests)."""
    s = fakes(secrets, 3)
    return (
        "import { test } from '@playwright/test';\n\ntest.beforeEach(async ({ context }) => {\n"
        f"  await context.addCookies([{{ name: 'sessionid', value: '{s[0]}', domain: 'localhost', path: '/' }}]);\n"
        "});\n\n"
        f"it('opens the cart', () => {{\n  cy.setCookie('wordpress_logged_in_5c0a1d', '{s[1]}');\n}});\n\n"
        f"// s.cookies.set(\"remember_token\", \"{s[2]}\", domain=\"localhost\")\n"
    )


def storage_state(secrets: list[str]) -> str:
    """Playwright's storageState file (``playwright/.auth/user.json``): the logged-in session."""
    (s,) = fakes(secrets, 1)
    return (
        '{\n  "cookies": [\n    {\n      "name": "sessionid",\n      "value": "' + s + '",\n'
        '      "domain": "localhost",\n      "path": "/",\n      "httpOnly": true\n    }\n  ],\n  "origins": []\n}\n'
    )


def composer_mirrors(secrets: list[str]) -> str:
    """A long composer.json: a GitHub OAuth section of 120 mirrors (its name far above a
    prompt's window at the last hosts)."""
    return (
        '{\n    "name": "acme/shop",\n    "config": {\n        "github-oauth": {\n'
        + _hosts("mirror", 120, secrets, "            ")
        + "\n        }\n    }\n}\n"
    )


def puppeteer_cookies(secrets: list[str]) -> str:
    """Puppeteer's page.cookies() saved with its keys sorted: ten fields between a cookie's name
    and its value, no word "cookie" in the file."""
    fields = (
        '        "partitionKey": null,\n        "path": "/",\n        "priority": "Medium",\n'
        '        "sameParty": false,\n        "sameSite": "Lax",\n        "secure": true,\n'
        '        "session": false,\n        "size": 82,\n        "sourcePort": 443,\n        "sourceScheme": "Secure",\n'
    )
    objects = [
        '    {\n        "domain": "shop.example.com",\n        "expires": 1767225600.5,\n        "httpOnly": true,\n'
        f'        "name": "{name}",\n{fields}        "value": "{value}"\n    }}'
        for name, value in zip(("connect.sid", "remember_token"), fakes(secrets, 2), strict=True)
    ]
    return "[\n" + ",\n".join(objects) + "\n]\n"


def terraform_and_kubeconfig(secrets: list[str]) -> str:
    """A .tf file's locals given heredocs, and a kubeconfig pasted into a CI file: its exec
    plugin's token among its args."""
    s = fakes(secrets, 3)
    return (
        'locals {\n  region = "eu-west-1"\n  db_password = <<EOT\n' + s[0] + "\nEOT\n"
        + "  api_token = <<-EOT\n    " + s[1] + "\n  EOT\n}\n\n"
        + "users:\n- name: ci\n  user:\n    exec:\n      command: vault-login\n      args:\n      - --token\n      - "
        + s[2] + "\n"
    )


def terraform_json(secrets: list[str]) -> str:
    """A main.tf.json (Terraform's JSON syntax): a variable's default under a secret's name, its
    type, description and validation between."""
    s = fakes(secrets, 2, 20)
    return (
        '{\n  "variable": {\n    "region": {\n      "default": "eu-west-1"\n    },\n'
        '    "db_password": {\n      "type": "string",\n      "description": "The admin password",\n'
        '      "validation": {"condition": "${length(var.db_password) >= 16}"},\n      "sensitive": true,\n'
        f'      "default": "{s[0]}"\n    }},\n    "github_token": {{\n      "type": "string",\n'
        f'      "default": "{s[1]}"\n    }}\n  }}\n}}\n'
    )


def secret_lists(secrets: list[str]) -> str:
    """Lists of keys under a secret's name: a settings module's, a YAML file's, a JSON array."""
    s = fakes(secrets, 9)
    return (
        "API_KEYS = [\n" + "".join(f'    "{k}",\n' for k in s[:4]) + "]\n\n"
        "tokens:\n" + "".join(f"  - {k}\n" for k in s[4:7]) + "\n"
        + '{"webhook_secrets": ["' + s[7] + '", "' + s[8] + '"]}\n'
    )


def terraform_collections(secrets: list[str]) -> str:
    """A variables.tf whose secret variables default to a list or a map, one line and over lines."""
    s = fakes(secrets, 5, 20)
    return (
        'variable "db_passwords" {\n  type    = list(string)\n  default = ["' + s[0] + '", "' + s[1] + '"]\n}\n\n'
        'variable "api_keys" {\n  description = "Keys of the partner API"\n  default = [\n    "' + s[2] + '",\n  ]\n  sensitive = true\n}\n\n'
        'variable "webhook_tokens" {\n  type = map(string)\n  default = {\n    prod = "' + s[3] + '"\n    "dev" = "' + s[4] + '"\n  }\n}\n'
    )


def cloudformation(secrets: list[str]) -> str:
    """A CloudFormation template, YAML and JSON: parameters marked NoEcho with a Default, under
    names that say nothing of a secret."""
    s = fakes(secrets, 3, 20)
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env:\n    Type: String\n    Default: prod\n"
        "  MasterUser:\n    Type: String\n    NoEcho: true\n    Default: " + s[0] + "\n"
        "  AdminLogin:\n    NoEcho: 'true'\n    Type: String\n    MinLength: 12\n    Default: '" + s[1] + "'\n"
        "# the same parameter in the JSON template\n"
        '{"Parameters": {"Relay": {"Type": "String", "NoEcho": true, "Default": "' + s[2] + '"}}}\n'
    )


def word_lists_and_literals(secrets: list[str]) -> str:
    """Lists and maps under a secret's name as other languages write them: Ruby's %w and %i,
    Perl's qw, C#'s new[], Rust's vec!, PHP's array(), PowerShell's @(), a Swift array's type, a
    YAML flow list, a dictionary's values."""
    s = fakes(secrets, 20)
    return (
        f"API_KEYS = %w[{s[0]} {s[1]}].freeze\nSIGNING_TOKENS = %i[\n  {s[2]}\n  {s[3]}\n]\n"
        f"my @api_keys = qw({s[4]} {s[5]});\n"
        f'var apiKeys = new[] {{ "{s[6]}", "{s[7]}" }};\nlet api_keys = vec!["{s[8]}", "{s[9]}"];\n'
        f"'passwords' => array('{s[10]}', '{s[11]}'),\n$ApiKeys = @(\"{s[12]}\", \"{s[13]}\")\n"
        f'let apiKeys: [String] = ["{s[14]}"]\napi_keys: [{s[15]}, {s[16]}]\n'
        f'API_TOKENS = {{"prod": "{s[17]}", "dev": "{s[18]}"}}\nconst secrets = {{ prod: "{s[19]}" }};\n'
    )


def tools_and_urls(secrets: list[str]) -> str:
    """A deploy script's tools: a shell array of tokens, a registry's token in an .npmrc written by echo, docker login's
    -p, and connection URLs with a password in schemes other than http."""
    s = fakes(secrets, 10, 20)
    return (
        f"DEPLOY_TOKENS=(\n  {s[8]}\n  {s[9]}\n)\n"
        f'echo "//registry.npmjs.org/:_authToken={s[0]}" > .npmrc\n'
        f"docker login -u ci -p {s[1]} registry.example.com\n"
        f'BROKER_URL = "amqp://app:{s[2]}@rabbit:5672/"\nREDIS_URL=redis://default:{s[3]}@cache:6379/0\n'
        f'MONGO = "mongodb+srv://admin:{s[4]}@cluster0.example.net/db"\nftp://deploy:{s[5]}@ftp.example.com/site\n'
        f"EMAIL_URL=smtp://me:{s[6]}@smtp.example.com:587\nurl: jdbc:postgresql://db:5432/app?user=app&password={s[7]}\n"
    )


def maps_and_typed_lists(secrets: list[str]) -> str:
    """Maps and lists under a secret's name built by a constructor or typed: Java's Map.of, Go's
    map literal, Kotlin's mapOf, Python's dict(), Scala's Seq, a C array, Dart's <String>[]."""
    s = fakes(secrets, 8, 24)
    return (
        f'Map<String, String> apiKeys = Map.of("prod", "{s[0]}");\nvar apiTokens = map[string]string{{"prod": "{s[1]}"}}\n'
        f'val apiKeys = mapOf("prod" to "{s[2]}")\nAPI_KEYS = dict(prod="{s[3]}", dev="{s[4]}")\n'
        f'val signingKeys = Seq("{s[5]}")\nconst char *api_keys[] = {{"{s[6]}"}};\nfinal apiKeys = <String>["{s[7]}"];\n'
    )


def comma_lists(secrets: list[str]) -> str:
    """A properties file's and an INI file's keys as a comma list without brackets."""
    s = fakes(secrets, 5, 24)
    return (
        "# one per environment\n"
        f"app.api.tokens={s[0]},{s[1]}\nWEBHOOK_SECRETS = {s[2]}, {s[3]}, {s[4]}  # prod, staging, dev\n"
    )


def yaml_mappings(secrets: list[str]) -> str:
    """A YAML settings file: keys by environment under a secret's name, one level and two."""
    s = fakes(secrets, 6, 24)
    return (
        "service:\n  name: shop\n  port: 8080\n"
        f"api_keys:\n  prod: {s[0]}\n  staging: {s[1]}\n  dev: {s[2]}\n"
        "credentials:\n"
        + "".join(f"  {env}:\n    region: eu-west-1\n    main: '{key}'\n" for env, key in zip(("prod", "staging", "dev"), s[3:], strict=True))
        + "log_level: info\n"
    )


def toml_tables(secrets: list[str]) -> str:
    """A TOML configuration (and an INI file's section): tables named for a secret."""
    s = fakes(secrets, 6, 24)
    return (
        '[server]\nhost = "0.0.0.0"\nport = 8080\n\n'
        f'[api_keys]\nprod = "{s[0]}"\nstaging = "{s[1]}"\ndev = "{s[2]}"\n\n'
        f'[secrets.db]\nuser = "app"\nvalue = "{s[3]}"\n\n[secrets.smtp]\nvalue = \'{s[4]}\'\n\n'
        f"[credentials]\nprod = {s[5]}\n"
    )


def bare_key_objects(secrets: list[str]) -> str:
    """Ruby's hash of symbols to keys (``:prod => '…'``), a JavaScript object's bare keys, a TOML
    table's entries: 16 each (the windows start and end among them)."""
    s = fakes(secrets, 48, 20)
    return (
        "module Keys\n  API_KEYS = {\n" + "".join(f"    :tenant{n} => '{v}',\n" for n, v in enumerate(s[:16])) + "  }.freeze\nend\n\n"
        + "export const apiKeys = {\n" + "".join(f"  tenant{n}: '{v}',\n" for n, v in enumerate(s[16:32])) + "};\n\n"
        + "[secrets.api_keys]\n" + "".join(f'tenant{n} = "{v}"\n' for n, v in enumerate(s[32:]))
    )


def cloudformation_flow(secrets: list[str]) -> str:
    """A CloudFormation template's parameters written as flow mappings, one a line, ``NoEcho``
    anywhere in them."""
    s = fakes(secrets, 3, 20)
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env: {Type: String, Default: prod}\n"
        f"  DBPassword: {{Type: String, NoEcho: true, Default: {s[0]}}}\n"
        f"  ApiToken: {{NoEcho: 'true', Type: String, Default: '{s[1]}', MinLength: 8}}\n"
        f'  SmtpLogin: {{ Default: "{s[2]}", NoEcho: true }}\n'
        "Resources:\n  Bucket: {Type: 'AWS::S3::Bucket'}\n"
    )


def lists_in_other_languages(secrets: list[str]) -> str:
    """Lists of keys as Elixir (a module attribute), Perl (``qw/…/``) and a .env (``;`` between
    them) write them, and a list of keys in capitals with a digit or two."""
    s = fakes(secrets, 10, 20)
    capitals = ["QWXZPLKJHG7TRBVCNMZA", "HJKWERTZUIOP3YXCVBNM"]
    secrets += capitals
    return (
        "defmodule Shop.Keys do\n  @api_keys [\n" + "".join(f'    "{v}",\n' for v in s[:3]) + "  ]\nend\n\n"
        + f"my @api_tokens = qw/{s[3]} {s[4]} {s[5]}/;\n\n"
        + f"API_KEYS={s[6]};{s[7]};{s[8]}\nSECRET_TOKENS=\"{s[9]}; {s[6][::-1]}\"\n\n"
        + "VENDOR_API_KEYS = [\n" + "".join(f'    "{v}",\n' for v in capitals) + "]\n"
    )


def word_sigils(secrets: list[str]) -> str:
    """Lists of bare words: Elixir's sigils (``@api_keys ~w(…)``, ``~W[…]``, a keyword's
    ``api_keys: ~w(…)``, a word a line), Ruby's ``%w[`` and Perl's ``qw(`` a word a line."""
    s = fakes(secrets, 18, 24)
    lines = "".join(f"    {v}\n" for v in s[12:])
    return (
        f"defmodule Shop.Keys do\n  @api_keys ~w({s[0]} {s[1]})\n  @tokens ~W[{s[2]} {s[3]}]a\n"
        + f"  @api_keys_eu ~w(\n    {s[4]}\n    {s[5]}\n    {s[6]}\n    {s[7]}\n  )\nend\n\n"
        + f"config :shop, api_keys: ~w|{s[8]} {s[9]}|\n\n"
        + f"API_KEYS = %w[\n{lines}].freeze\n\n"
        + f"my @api_tokens = qw(\n    {s[10]}\n    {s[11]}\n{lines});\n"
    )


def word_sigils_over_lines(secrets: list[str]) -> str:
    """Elixir's sigils whose delimiter is no bracket (``~w/``, ``~w|``, ``~W"``), over lines: a
    word a line, or a few on each."""
    s = fakes(secrets, 12, 24)
    return (
        f"defmodule Shop.Vendors do\n  @api_keys ~w/\n    {s[0]}\n    {s[1]}\n    {s[2]}\n  /\n"
        + f'  @tokens ~W"\n    {s[3]}\n    {s[4]}\n    {s[5]}\n  "\nend\n\n'
        + f"config :shop,\n  api_keys: ~w|{s[6]}\n    {s[7]} {s[8]}\n    {s[9]}\n    {s[10]} {s[11]}|\n"
    )


def long_key_lines(secrets: list[str]) -> str:
    """Lists of keys on one long line (generated, pasted): keys of letters alone, no digit, and
    keys of letters and digits, the prompts' windows and suffixes cut inside the lines."""
    letters = ["".join(_RANDOM.choice(string.ascii_letters) for _ in range(40)) for _ in range(60)]
    mixed = fakes(secrets, 60, 40)
    secrets += letters
    return (
        "import os\n\nAPI_KEYS = [" + ", ".join(f'"{k}"' for k in letters) + "]\n\n"
        + "const vendorTokens = [" + ", ".join(f"'{k}'" for k in mixed) + "];\n"
    )


def very_long_key_lines(secrets: list[str]) -> str:
    """Lists of keys on lines longer than the 4 kB above a prompt's window redaction reads (300
    keys, 13 kB), and one 1 kB into a minified line, its code before it."""
    letters = ["".join(_RANDOM.choice(string.ascii_letters) for _ in range(40)) for _ in range(300)]
    mixed = fakes(secrets, 300, 40)
    minified = fakes(secrets, 150, 40)
    secrets += letters
    code = "".join(f"var a{i}=function(b){{return b+{i}}};" for i in range(30))
    return (
        "import os\n\nAPI_KEYS = [" + ", ".join(f'"{k}"' for k in letters) + "]\n\n"
        + "const vendorTokens = [" + ", ".join(f"'{k}'" for k in mixed) + "];\n\n"
        + code + "const API_KEYS=[" + ",".join(f'"{k}"' for k in minified) + "];var z=1;\n"
    )


def more_languages_lists(secrets: list[str]) -> str:
    """Lists of keys as more languages write them: R's ``c(…)``, OCaml's ``;``, JSON in a string
    (``'[…]'``, ``json.loads``, ``JSON.parse``), Clojure's ``def``, Erlang's ``-define``, bash's
    associative array."""
    s = fakes(secrets, 24, 24)
    return (
        f'api_keys <- c("{s[0]}", "{s[1]}")\nlet api_keys = ["{s[2]}"; "{s[3]}"]\n\n'
        + f"API_KEYS = '[\"{s[4]}\", \"{s[5]}\"]'\nAPI_TOKENS = json.loads('[\"{s[6]}\", \"{s[7]}\"]')\n"
        + f"SECRETS = '{{\"prod\": \"{s[8]}\", \"dev\": \"{s[9]}\"}}'\n"
        + f"const apiKeys = JSON.parse('{{\"prod\":\"{s[10]}\",\"dev\":\"{s[11]}\"}}');\n"
        + f"process.env.API_KEYS = '[\"{s[12]}\",\"{s[13]}\"]';\n\n"
        + f'(def api-keys ["{s[14]}" "{s[15]}"])\n-define(API_KEYS, ["{s[16]}", "{s[17]}"]).\n\n'
        + f'declare -A API_KEYS=([prod]="{s[18]}" [dev]="{s[19]}")\n'
        + f'api_tokens <- list(prod = "{s[20]}", dev = "{s[21]}")\nlet tokens = ["{s[22]}"; "{s[23]}"]\n'
    )


def heredoc_keys(secrets: list[str]) -> str:
    """Keys a line in heredocs and multi-line strings under a secret's name: a shell's ``read``
    and ``$(cat <<EOF``, Ruby's ``<<~``, PHP's ``<<<``, Python's triple quotes."""
    s = fakes(secrets, 15, 24)
    return (
        "read -r -d '' API_KEYS <<'EOF'\n" + "\n".join(s[0:3]) + "\nEOF\n\n"
        + "API_TOKENS=$(cat <<EOF\n" + "\n".join(s[3:6]) + "\nEOF\n)\n\n"
        + "API_KEYS = <<~KEYS\n" + "".join(f"  {k}\n" for k in s[6:9]) + "KEYS\n\n"
        + "$apiKeys = <<<'KEYS'\n" + "\n".join(s[9:12]) + "\nKEYS;\n\n"
        + 'API_KEYS = """\n' + "\n".join(s[12:15]) + '\n"""\n'
    )


def yaml_flow_over_lines(secrets: list[str]) -> str:
    """A YAML flow list of keys over lines, a key a line with its comma."""
    s = fakes(secrets, 4, 24)
    return "app:\n  api_keys: [\n" + ",\n".join(f"    {k}" for k in s) + "\n  ]\n  debug: true\n"


def maps_over_lines(secrets: list[str]) -> str:
    """Maps of keys over lines or with bare values: R's ``list(`` a key a line, Clojure's maps
    (``(def api-keys {:prod "…"``, a keyword's ``{:api-keys {…}}``), bash's associative arrays
    (``declare -A API_KEYS=([prod]=… # comment``)."""
    s = fakes(secrets, 15, 24)
    return (
        f'api_keys <- list(\n  prod = "{s[0]}",\n  dev = "{s[1]}",\n  qa = "{s[2]}"\n)\n\n'
        + f'(def api-keys {{:prod "{s[3]}"\n               :dev "{s[4]}"\n               :qa "{s[5]}"}})\n\n'
        + f'(def config\n  {{:api-tokens {{:prod "{s[6]}" :dev "{s[7]}"}}}})\n\n'
        + f"declare -A API_KEYS=([prod]={s[8]} # main\n  [dev]={s[9]} # dev\n  [qa]={s[10]}\n)\n\n"
        + f'declare -A API_TOKENS=(\n  [prod]="{s[11]}"\n  [dev]="{s[12]}"\n  [qa]="{s[13]}"\n  [ci]={s[14]}\n)\n'
    )


def strings_and_elements_of_keys(secrets: list[str]) -> str:
    """Keys a line in a Python string split later, its first on the quotes' line
    (``API_KEYS = \"\"\"k1`` … ``k3\"\"\".split()``), and XML elements of keys (``<apiKeys>`` of
    ``<key>…</key>``, .NET's ``<add key="prod" value="…"/>`` under such a section)."""
    s = fakes(secrets, 9, 24)
    return (
        'API_KEYS = """' + "\n".join(s[0:3]) + '""".split()\n\n'
        + "<config>\n  <apiKeys>\n" + "".join(f"    <key>{k}</key>\n" for k in s[3:6]) + "  </apiKeys>\n"
        + "  <apiTokens>\n" + "".join(f'    <add key="t{n}" value="{k}"/>\n' for n, k in enumerate(s[6:9])) + "  </apiTokens>\n</config>\n"
    )


def capital_keys(secrets: list[str]) -> str:
    """Keys of capitals alone, no digit, as items of lists of keys and on command lines."""
    caps = ["".join(_RANDOM.choice(string.ascii_uppercase) for _ in range(20)) for _ in range(8)]
    secrets += caps
    return (
        f'VENDOR_API_KEYS = ["{caps[0]}", "{caps[1]}"]\n\napi_tokens:\n  - {caps[2]}\n  - {caps[3]}\n\n'
        + f"[api_keys]\nprod = '{caps[4]}'\n\nAPI_KEYS={caps[5]},{caps[6]}\n\nvendor-cli sync --api-key {caps[7]}\n"
    )


def toml_dotted_keys(secrets: list[str]) -> str:
    """A TOML file's dotted keys under another table: ``api_keys.prod = "…"`` in ``[app]``."""
    s = fakes(secrets, 3, 20)
    return f'[app]\nname = "shop"\napi_keys.prod = "{s[0]}"\napi_keys.dev = "{s[1]}"\nsecrets.db.main = "{s[2]}"\n\n[log]\nlevel = "info"\n'


def yaml_block_keys(secrets: list[str]) -> str:
    """A YAML block scalar of keys, one a line, under a secret's name."""
    s = fakes(secrets, 4, 20)
    return "app:\n  name: shop\n  api_keys: |\n" + "".join(f"    {v}\n" for v in s) + "  debug: false\n"


def yaml_block_words(secrets: list[str]) -> str:
    """Block scalars under a password's or a key's name that are no bare word: a ``#`` inside
    the password, a passphrase of words (``password: >`` then the words)."""
    (s,) = fakes(secrets, 1, 20)
    hashed = s[:10] + "#" + s[10:]
    secrets[-1] = hashed
    words = "velvet harbor quantum pickle"
    secrets.append(words)
    return f"db:\n  host: db.internal\n  password: |-\n    {hashed}\n  user: app\nwifi:\n  passphrase: >\n    {words}\n"


def passphrases(secrets: list[str]) -> str:
    """Passphrases of words, bare on their name's line (the cursor between two of them in the
    middle of the line) and over two lines (YAML's folded and plain scalars, an INI value's
    indented line, a properties file's ``\\``, a .env's quotes)."""
    words = [
        "velvet harbor quantum pickle",
        "amber falcon drizzle",
        "copper meadow lantern",
        "tidal orbit marmalade",
        "crimson walrus ballot",
        "frosty pebble orchard",
        "lunar cobalt teapot",
        "mossy anchor fiddle",
        "quiet ember walnut",
        "rusty glacier tulip",
        "silver badger noodle",
    ]
    secrets += words
    return (
        f"[db]\npassword = {words[0]}\nuser = app\n\n[wifi]\npassphrase = {words[1]}\n\n"
        + f"DB_PASSWORD={words[2]}\nSMTP_PASSWORD={words[3]}\n\n"
        + f"db:\n  password: >\n    {words[4]}\n    {words[5]}\n  user: app\n"
        + f"cache:\n  password: {words[6]}\n    {words[7]}\n\n"
        + f"[mail]\npassword = {words[8]}\n    {words[9]}\n\n"
        + f"db.password={words[10]} \\\n    {words[0]}\n"
    )


def passphrases_with_blank_lines(secrets: list[str]) -> str:
    """Passphrases over lines with a blank line inside: a YAML folded scalar's paragraph break,
    one before its first line, a literal block's, a plain scalar's, an INI value's."""
    words = ["amber falcon", "drizzle lantern", "copper meadow", "orbit teapot", "velvet harbor", "quantum pickle"]
    secrets += words
    return (
        f"db:\n  password: >\n    {words[0]}\n\n    {words[1]}\n  user: app\n"
        + f"cache:\n  password: |-\n\n    {words[2]}\n    \n    {words[3]}\n  user: app\n"
        + f"mail:\n  password: {words[4]}\n\n    {words[5]}\n  user: app\n\n"
        + f"[smtp]\npassword = {words[1]}\n\n    {words[0]}\nuser = app\n"
    )


def secrets_in_parts(secrets: list[str]) -> str:
    """Secrets written as literals one after another over lines (implicit concatenation, a ``\\``
    between), the cursor in the first part or after it."""
    words = ["amber falcon ", "drizzle lantern", "copper meadow ", "orbit teapot"]
    tokens = fakes(secrets, 4, 16)
    secrets += [words[1], words[3]]
    return (
        f'DB_PASSWORD = ("{words[0]}"\n               "{words[1]}")\n'
        + f'SMTP_PASSWORD = "{words[2]}" \\\n    "{words[3]}"\n\n'
        + f'API_TOKEN = (\n    "{tokens[0]}"\n    "{tokens[1]}"\n)\n'
        + f'SECRET_KEY = "{tokens[2]}" \\\n    "{tokens[3]}"\n'
    )


def yaml_block_long(secrets: list[str]) -> str:
    """A longer block scalar of keys, blank lines between some, so a window starts inside it."""
    s = fakes(secrets, 30, 24)
    return "app:\n  name: shop\n  api_keys: |\n" + "".join(f"    {v}\n" + "\n" * (n % 3 == 0) for n, v in enumerate(s)) + "  debug: false\n"


def yaml_written_otherwise(secrets: list[str]) -> str:
    """A YAML settings file saved on Windows: an anchored mapping, comments at column 0 between
    its keys, a list of mappings, a flow mapping."""
    s = fakes(secrets, 6, 24)
    text = (
        f"api_keys: &keys\n  prod: {s[0]}\n# staging until March\n  staging: '{s[1]}'\n"
        f"tokens:\n  - name: ci\n    value: {s[2]}\n  - name: deploy\n    value: \"{s[3]}\"\n"
        f"webhook_secrets: {{github: {s[4]}, stripe: {s[5]}}}\nlog_level: info\n"
    )
    return text.replace("\n", "\r\n")


def windows_lists(secrets: list[str]) -> str:
    """YAML lists of keys saved on Windows (CRLF): one under its name, one at column 0, one with
    blank lines between its items."""
    s = fakes(secrets, 7, 24)
    text = (
        f"api_keys:\n  - {s[0]}\n  - '{s[1]}'\nwebhook_secrets:\n- {s[2]}\n- \"{s[3]}\"  # stripe\n"
        f"tokens:\n  - {s[4]}\n\n  - {s[5]}\n\n  - {s[6]}\nlog_level: info\n"
    )
    return text.replace("\n", "\r\n")


def lists_with_comments(secrets: list[str]) -> str:
    """A list of keys with a comment line between its items, an INI comma list with its ``;``
    comment, a TOML table's triple-quoted strings."""
    s = fakes(secrets, 6, 24)
    return (
        f'API_KEYS = [\n    "{s[0]}",  # prod\n    # staging, until March\n    "{s[1]}",\n]\n\n'
        f"# [auth] of the INI file\napi_keys = {s[2]},{s[3]} ; prod then staging\n\n"
        f'[api_keys]\nprod = """{s[4]}"""\ndev = \'\'\'{s[5]}\'\'\'\n'
    )


def terraform_far_defaults(secrets: list[str]) -> str:
    """A variables.tf whose secret variables' list and map defaults are below many validation
    blocks: their ``variable`` line more than 4 kB above the default."""
    s = fakes(secrets, 4, 20)
    validations = "".join(
        f'  validation {{\n    condition     = length(var.x) > {n}\n    error_message = "Rule {n} of the admin passwords."\n  }}\n'
        for n in range(50)
    )
    return (
        f'variable "db_passwords" {{\n  type = list(string)\n{validations}  default = ["{s[0]}", "{s[1]}"]\n}}\n\n'
        f'variable "api_tokens" {{\n  type = map(string)\n{validations}  default = {{\n    prod = "{s[2]}"\n    dev  = "{s[3]}"\n  }}\n}}\n'
    )


def terraform_long_defaults(secrets: list[str]) -> str:
    """A variables.tf whose secret variables' defaults are long lists and maps, one item a line:
    a window or a suffix starts among the items (their ``default = [`` line above it)."""
    s = fakes(secrets, 24, 20)
    return (
        'variable "admin_passwords" {\n  type      = list(string)\n  sensitive = true\n  default = [\n'
        + "".join(f'    "{item}",\n' for item in s[:12])
        + '  ]\n}\n\nvariable "api_tokens" {\n  type = map(string)\n  default = {\n'
        + "".join(f'    tenant{n} = "{item}"\n' for n, item in enumerate(s[12:]))
        + "  }\n}\n"
    )


def k8s_secret(secrets: list[str]) -> str:
    """A Kubernetes Secret manifest: base64 ``data:`` values and plain ``stringData:`` ones."""
    s = fakes(secrets, 4, 24)
    encoded = [base64.b64encode(v.encode()).decode() for v in s[:2]]
    secrets[-4:-2] = encoded
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-db\n  namespace: prod\ntype: Opaque\ndata:\n"
        f"  username: c2hvcA==\n  password: {encoded[0]}\n  api-key: {encoded[1]}\n"
        f"stringData:\n  SMTP_PASSWORD: {s[2]}\n  config.yaml: |\n    token: {s[3]}\n"
    )


def k8s_secret_json(secrets: list[str]) -> str:
    """The same manifest in JSON (``kubectl get secret -o json``): its kind line far from its data."""
    s = fakes(secrets, 3, 24)
    labels = ",\n".join(f'      "label{n}": "value{n}"' for n in range(12))
    return (
        '{\n  "apiVersion": "v1",\n  "kind": "Secret",\n  "metadata": {\n    "name": "shop-api",\n    "labels": {\n'
        + labels
        + f'\n    }}\n  }},\n  "type": "Opaque",\n  "stringData": {{\n    "api": "{s[0]}",\n    "webhook": "{s[1]}",\n'
        + f'    "db": "{s[2]}"\n  }}\n}}\n'
    )


def compose_environment(secrets: list[str]) -> str:
    """A docker-compose file's ``environment:`` as a list (``- NAME=value``) and as a mapping."""
    s = fakes(secrets, 4, 24)
    return (
        "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_USER=shop\n"
        f"      - POSTGRES_PASSWORD={s[0]}\n      - \"API_TOKEN={s[1]}\"\n  api:\n    build: .\n    environment:\n"
        f"      STRIPE_SECRET_KEY: {s[2]}\n      REDIS_PASSWORD: \"{s[3]}\"\n      LOG_LEVEL: info\n"
    )


def npmrc(secrets: list[str]) -> str:
    """A project's .npmrc: registries' tokens and a base64 password."""
    s = fakes(secrets, 3, 32)
    return (
        f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={s[0]}\n"
        f"@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken={s[1]}\n//npm.acme.io/:_password={s[2]}\n"
    )


def pypirc(secrets: list[str]) -> str:
    """~/.pypirc: PyPI's token and a private index's password."""
    s = fakes(secrets, 2, 32)
    return (
        "[distutils]\nindex-servers =\n    pypi\n    internal\n\n"
        f"[pypi]\nusername = __token__\npassword = {s[0]}\n\n"
        f"[internal]\nrepository = https://pypi.acme.io/\nusername = deploy\npassword = {s[1]}\n"
    )


def netrc(secrets: list[str]) -> str:
    """~/.netrc: a machine on one line and one over lines."""
    s = fakes(secrets, 2, 24)
    return f"machine api.heroku.com login me@acme.io password {s[0]}\nmachine git.acme.io\n  login deploy\n  password {s[1]}\n"


def connection_strings(secrets: list[str]) -> str:
    """JDBC URLs and ODBC / ADO.NET connection strings in a Java class and a properties file."""
    s = fakes(secrets, 5, 20)
    return (
        "class Db {\n"
        f'    static final String SQLSERVER = "jdbc:sqlserver://db.acme.io:1433;databaseName=shop;user=app;password={s[0]};encrypt=true";\n'
        f'    static final String PG = "jdbc:postgresql://db.acme.io/shop?user=app&password={s[1]}&ssl=true";\n'
        f'    static final String ORA = "jdbc:oracle:thin:app/{s[2]}@db.acme.io:1521/ORCL";\n'
        f'    static final String ODBC = "Driver={{ODBC Driver 18 for SQL Server}};Server=db;Database=shop;Uid=app;Pwd={s[3]};";\n'
        f'    static final String ADO = "Server=tcp:acme.database.windows.net,1433;User ID=app;Password={s[4]};Encrypt=True";\n'
        "}\n"
    )


def git_credentials(secrets: list[str]) -> str:
    """Credentials in git URLs: a CI script's clone and remote, a .gitconfig's insteadOf."""
    s = fakes(secrets, 3, 32)
    return (
        f"#!/bin/sh\ngit clone https://x-access-token:{s[0]}@github.com/acme/shop.git\n"
        f"git remote set-url origin https://oauth2:{s[1]}@gitlab.acme.io/acme/api.git\n"
        f'git config --global url."https://deploy:{s[2]}@github.com/".insteadOf "https://github.com/"\n'
    )


def notebook_json(secrets: list[str]) -> str:
    """A Jupyter notebook's JSON (opened as text): a cell's source lines as JSON strings."""
    s = fakes(secrets, 3, 32)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Orders\n", "Pulls the day's orders.\n"]},
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "source": ["import openai\n", f'openai.api_key = "{s[0]}"\n', f"%env DB_PASSWORD={s[1]}\n"],
        },
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": [f"!curl -H 'Authorization: Bearer {s[2]}' https://api.acme.io\n"]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def notebook_values_below(secrets: list[str]) -> str:
    """A notebook's JSON whose cells hold a secret on the line below its name (``API_KEY = (``)."""
    s = fakes(secrets, 3, 32)
    sources = [
        ["import openai\n", "API_KEY = (\n", f'    "{s[0]}"\n', ")\n"],
        ["DB_PASSWORD = (\n", f"    '{s[1]}'\n", ")\n"],
        ["client = Client(\n", "    token=(\n", f'        "{s[2]}"\n', "    ),\n", ")\n"],
    ]
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source} for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def notebook_breaks(secrets: list[str]) -> str:
    """A notebook's JSON whose values are below their names after a bare line break (Julia's
    ``TOKEN =``, R's ``api_key <-``), a ``\\`` or blank lines; one cell's source one string."""
    s = fakes(secrets, 4, 32)
    sources = [
        ["TOKEN =\n", f'    "{s[0]}"\n'],
        ["api_key <-\n", f'  "{s[1]}"\n'],
        ["SECRET_KEY = \\\n", f"    '{s[2]}'\n"],
        "DB_PASSWORD = (\n\n" + f'    "{s[3]}"\n)\n',
    ]
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source} for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def shell_exports(secrets: list[str]) -> str:
    """A script sourced for the environment: ``export`` lines, csh's ``setenv``, fish's ``set -x``."""
    s = fakes(secrets, 6, 24)
    return (
        f"export DB_PASSWORD={s[0]}\nexport API_TOKEN='{s[1]}'\nexport DATABASE_URL=postgres://shop:{s[2]}@db/shop\n"
        f"setenv SMTP_PASSWORD {s[3]}\nset -gx GITHUB_TOKEN {s[4]}\nlaunchctl setenv STRIPE_SECRET_KEY {s[5]}\n"
    )


def _far_entries(secrets: list[str], head: str, entry: str, tail: str) -> str:
    """A mapping named for a secret whose first secret is 600 entries (~15 kB) below its name."""
    s = fakes(secrets, 4, 24)
    fillers = "".join(entry.format(key=f"region{n}", value=f"eu-west-{n}") for n in range(600))
    keys = "".join(entry.format(key=f"tenant{n}", value=value) for n, value in enumerate(s))
    return head + fillers + keys + tail


def yaml_far_mapping(secrets: list[str]) -> str:
    """A YAML mapping's secrets kilobytes below its ``api_keys:``."""
    return _far_entries(secrets, "service:\n  port: 8080\napi_keys:\n", "  {key}: {value}\n", "log_level: info\n")


def toml_far_table(secrets: list[str]) -> str:
    """A TOML table's secrets kilobytes below its ``[api_keys]``."""
    return _far_entries(secrets, "[server]\nport = 8080\n\n[api_keys]\n", '{key} = "{value}"\n', "\n[log]\nlevel = 'info'\n")


def json_far_object(secrets: list[str]) -> str:
    """A JSON object's secrets kilobytes below its ``"api_keys": {``."""
    return _far_entries(secrets, '{\n  "port": 8080,\n  "api_keys": {\n', '    "{key}": "{value}",\n', '    "last": "eu"\n  }\n}\n')


def markdown_key_lists(secrets: list[str]) -> str:
    """A README's keys: list items naming one in emphasis or code marks, or in words (``- **API_KEY**:
    …``, ``1. API key: `…` ``), the items under a heading naming keys (``## API keys`` then
    ``- prod: …``), a table's rows naming one (``| API_KEY | … |``) and a column headed by one
    (``| Service | Token |``), over more rows than a prompt's window holds."""
    s = fakes(secrets, 20, 24)
    return (
        "# Shop\n\n## Setup\n\n- **STRIPE_API_KEY**: `" + s[0] + "`\n- `DB_PASSWORD` = `" + s[1] + "`\n"
        + "1. API key: " + s[2] + "\n2. Admin password (staging): " + s[3] + "\n\n**Secret key:** " + s[4] + "\n\n"
        + "## API keys\n\n" + "".join(f"- env{n}: {k}\n" for n, k in enumerate(s[5:9])) + "\n"
        + "## Environment\n\n| Name | Value |\n|------|-------|\n"
        + "".join(f"| SERVICE{n}_SECRET | `{k}` |\n" for n, k in enumerate(s[9:13])) + "\n"
        + "## Tokens\n\n| Service | Token | Owner |\n|:--|:--|:--|\n"
        + "".join(f"| svc{n} | {k} | team{n} |\n" for n, k in enumerate(s[13:20])) + "\nThat is all.\n"
    )


def blanks_after_openers(secrets: list[str]) -> str:
    """Lists of keys whose opening line ends in blanks (an editor's trailing whitespace): an XML
    element of keys in a CRLF file (``<apiKeys> \\r\\n``), a bracket list (``API_KEYS = [  ``)."""
    s = fakes(secrets, 10, 24)
    return (
        "<config>\r\n  <apiKeys> \r\n" + "".join(f"    <key>{k}</key>\r\n" for k in s[:5]) + "  </apiKeys>\r\n</config>\r\n\r\n"
        + "API_KEYS = [  \r\n" + "".join(f'    "{k}",\r\n' for k in s[5:]) + "]\r\n"
    )


def signing_keys(secrets: list[str]) -> str:
    """Keys written into the calls that sign or encrypt with them: a JWT's, an HMAC's, a cipher's,
    a cookie signer's (no name says secret there)."""
    s = fakes(secrets, 8, 32)
    return (
        f'token = jwt.encode(payload, "{s[0]}", algorithm="HS256")\n'
        f'const t = jwt.sign({{ id }}, "{s[1]}", {{ expiresIn: "1h" }});\n'
        f'digest = hmac.new(b"{s[2]}", body, hashlib.sha256).hexdigest()\n'
        f'const mac = crypto.createHmac("sha256", "{s[3]}");\n'
        f'mac := hmac.New(sha256.New, []byte("{s[4]}"))\n'
        f'box = Fernet(b"{s[5]}")\n'
        f'cipher = AES.new(b"{s[6]}", AES.MODE_GCM)\n'
        f'app.use(cookieParser("{s[7]}"));\n'
    )


def named_keys(secrets: list[str]) -> str:
    """Services' keys under names ending in ``key`` alone (``STRIPE_KEY``, ``mapboxKey``), as a
    settings module and a front end's config write them."""
    s = fakes(secrets, 6, 32)
    return (
        f'STRIPE_KEY = "{s[0]}"\nMAPBOX_KEY = "{s[1]}"\nGOOGLE_MAPS_KEY = "{s[2]}"\nsupabase_key = "{s[3]}"\n\n'
        f'export const config = {{\n  mapboxKey: "{s[4]}",\n  algoliaKey: "{s[5]}",\n}};\n'
    )


def cr_line_breaks(secrets: list[str]) -> str:
    """A classic Mac file, its lines ending in "\\r" alone: an XML element of keys, a continued INI
    value, a YAML list of tokens."""
    s = fakes(secrets, 9, 24)
    return (
        "<config>\r  <apiKeys>\r" + "".join(f"    <key>{k}</key>\r" for k in s[:3]) + "  </apiKeys>\r</config>\r\r"
        + "[billing]\rapi_keys =\r" + "".join(f"    {k}\r" for k in s[3:6]) + "timeout = 3\r\r"
        + "app:\r  tokens:\r" + "".join(f"    - {k}\r" for k in s[6:]) + "  port: 80\r"
    )


SAMPLES: dict[str, tuple[str, Callable[[list[str]], str]]] = {
    "composer auth.json": ("/home/u/.config/composer/auth.json", composer_auth),
    "composer.json": ("/w/shop/composer.json", composer_json),
    "requests.http": ("/w/shop/requests.http", rest_client),
    "curl script": ("/w/shop/scripts/me.sh", curl_script),
    "browser tests": ("/w/shop/e2e/cart.spec.ts", browser_tests),
    "playwright storageState": ("/w/shop/e2e/.state/admin.json", storage_state),
    "gcloud script": ("/w/shop/deploy.sh", gcloud_script),
    "pip.conf": ("/home/u/.config/pip/pip.conf", pip_conf),
    "httpie config.json": ("/home/u/.config/httpie/config.json", httpie_config),
    "cookies.txt": ("/home/u/cookies.txt", netscape_cookies),
    "a cookie jar": ("/w/shop/.cache/session.jar", netscape_cookies),
    "composer.json mirrors": ("/w/shop/composer.json", composer_mirrors),
    "puppeteer cookies": ("/w/shop/e2e/session.json", puppeteer_cookies),
    "locals.tf, kubeconfig": ("/w/shop/infra/ci.tf", terraform_and_kubeconfig),
    "main.tf.json": ("/w/shop/infra/main.tf.json", terraform_json),
    "lists of keys": ("/w/shop/settings.py", secret_lists),
    "variables.tf lists": ("/w/shop/infra/variables.tf", terraform_collections),
    "cloudformation": ("/w/shop/infra/stack.yaml", cloudformation),
    "word lists, literals": ("/w/shop/config/keys.txt", word_lists_and_literals),
    "tools and URLs": ("/w/shop/deploy.sh", tools_and_urls),
    "maps, typed lists": ("/w/shop/src/keys.txt", maps_and_typed_lists),
    "comma lists": ("/w/shop/config/app.properties", comma_lists),
    "yaml mappings": ("/w/shop/config/settings.yaml", yaml_mappings),
    "toml tables": ("/w/shop/config/app.toml", toml_tables),
    "variables.tf far": ("/w/shop/infra/secrets_vars.tf", terraform_far_defaults),
    "variables.tf long": ("/w/shop/infra/tenants.tf", terraform_long_defaults),
    "k8s Secret": ("/w/shop/k8s/db-secret.yaml", k8s_secret),
    "k8s Secret JSON": ("/w/shop/k8s/api-secret.json", k8s_secret_json),
    "compose environment": ("/w/shop/docker-compose.yml", compose_environment),
    ".npmrc": ("/w/shop/.npmrc", npmrc),
    ".npmrc as text": ("/w/shop/docs/npmrc.example.txt", npmrc),
    ".pypirc": ("/home/u/.pypirc", pypirc),
    ".pypirc as text": ("/w/shop/docs/pypirc.md", pypirc),
    ".netrc": ("/home/u/.netrc", netrc),
    ".netrc as text": ("/w/shop/docs/netrc.txt", netrc),
    "connection strings": ("/w/shop/src/Db.java", connection_strings),
    "git credentials": ("/w/shop/ci/clone.sh", git_credentials),
    "notebook JSON": ("/w/shop/notebooks/orders.ipynb", notebook_json),
    "notebook values below": ("/w/shop/notebooks/keys.ipynb", notebook_values_below),
    "notebook line breaks": ("/w/shop/notebooks/julia.ipynb", notebook_breaks),
    ".env with export": ("/w/shop/.env", shell_exports),
    "env script": ("/w/shop/scripts/env.sh", shell_exports),
    "yaml far mapping": ("/w/shop/config/tenants.yaml", yaml_far_mapping),
    "toml far table": ("/w/shop/config/tenants.toml", toml_far_table),
    "json far object": ("/w/shop/config/tenants.json", json_far_object),
    "yaml otherwise": ("/w/shop/config/settings.win.yaml", yaml_written_otherwise),
    "commented lists": ("/w/shop/config/keys.py", lists_with_comments),
    "windows lists": ("/w/shop/config/keys.win.yaml", windows_lists),
    "bare-key objects": ("/w/shop/config/keys.txt", bare_key_objects),
    "cloudformation flow": ("/w/shop/infra/params.yaml", cloudformation_flow),
    "other languages' lists": ("/w/shop/config/keys.txt", lists_in_other_languages),
    "word sigils": ("/w/shop/lib/keys.ex", word_sigils),
    "capital keys": ("/w/shop/config/vendors.txt", capital_keys),
    "toml dotted keys": ("/w/shop/config/app.toml", toml_dotted_keys),
    "yaml block of keys": ("/w/shop/config/app.yaml", yaml_block_keys),
    "yaml block words": ("/w/shop/config/db.yaml", yaml_block_words),
    "yaml long block": ("/w/shop/config/keys.yaml", yaml_block_long),
    "passphrases": ("/w/shop/config/passphrases.txt", passphrases),
    "word sigils over lines": ("/w/shop/lib/vendors.ex", word_sigils_over_lines),
    "long lines of keys": ("/w/shop/config/keys.txt", long_key_lines),
    "secrets in parts": ("/w/shop/app/settings.py", secrets_in_parts),
    "very long key lines": ("/w/shop/config/vendor_keys.txt", very_long_key_lines),
    "passphrases, blanks": ("/w/shop/config/passphrases.yaml.txt", passphrases_with_blank_lines),
    "more languages' lists": ("/w/shop/config/keys.txt", more_languages_lists),
    "heredocs of keys": ("/w/shop/scripts/keys.txt", heredoc_keys),
    "yaml flow over lines": ("/w/shop/config/keys.yaml", yaml_flow_over_lines),
    "maps over lines": ("/w/shop/config/keys.txt", maps_over_lines),
    "strings, elements": ("/w/shop/config/keys.txt", strings_and_elements_of_keys),
    "markdown key lists": ("/w/shop/README.md", markdown_key_lists),
    "blanks after openers": ("/w/shop/config/keys.txt", blanks_after_openers),
    "signing keys": ("/w/shop/app/auth.txt", signing_keys),
    "named keys": ("/w/shop/app/settings.txt", named_keys),
    "cr line breaks": ("/w/shop/config/legacy.txt", cr_line_breaks),
}


def _count(text: str) -> int:
    return len(text) // 3 + 1


def sent_texts(path: str, text: str) -> list[str]:
    """What the model is sent of ``text``: the review's (redacted whole), and each completion
    prompt at a line's end, inside its first word (renaming a key) and at its middle (inside a
    value)."""
    doc = Document("file://" + path, text)
    sent = [redact(text, keep_lines=True)]
    at = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        indent = len(body) - len(body.lstrip())
        for cursor in {at + len(body), at + min(len(body), indent + 2), at + (indent + len(body)) // 2}:
            fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
            sent.append(fim.prompt + fim.suffix)
        at += len(line)
    return sent


def leaked(secret: str, sent: list[str]) -> bool:
    pieces = {secret[i : i + 8] for i in range(0, len(secret) - 7, 4)}
    return any(piece in text for text in sent for piece in pieces)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="name each leaked secret's sample")
    args = parser.parse_args()
    total = leaks = 0
    for name, (path, make) in SAMPLES.items():
        secrets: list[str] = []
        text = make(secrets)
        if is_excluded(path, DEFAULT_EXCLUDE):
            print(f"{name:20} {len(secrets):3} secrets, excluded by default (never sent)")
            continue
        sent = sent_texts(path, text)
        out = [s for s in secrets if leaked(s, sent)]
        total += len(secrets)
        leaks += len(out)
        print(f"{name:20} {len(secrets):3} secrets, {len(out):3} leaked")
        if args.verbose:
            for secret in out:
                line = next(line for line in text.splitlines() if secret in line)
                print(f"    {line.strip()[:100]}")
    print(f"leaked: {leaks} of {total} secrets")


if __name__ == "__main__":
    main()
