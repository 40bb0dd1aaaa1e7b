"""Secrets in the files of applications and their builds: PHP (Laravel's configuration and
controllers, PDO and mysqli), C# (credentials, connection strings), Android's and iOS's build
settings, CI workflows, Dockerfiles, ``.npmrc`` and ``.pypirc``; and the code and references
in the same files, which must stay (the clean ones are in ``tests/data/no_secrets/``)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import SECRET, assert_not_in_prompts, assert_redacted

# -- PHP ----------------------------------------------------------------------------------------------------


def test_laravel_s_validation_rules_casts_and_static_members_stay() -> None:
    """Each went out as ``[REDACTED]``, taken for a password: the rules a controller checks a
    password against, the cast that hashes it, a static member its factory hashes once."""
    kept = (
        "            'password' => 'required|string|min:8|confirmed',\n"
        "            'password' => 'nullable|string|max:255',\n"
        "        'password' => 'hashed',\n"
        "        'api_token' => 'encrypted',\n"
        "        'secret' => 'encrypted:array',\n"
        "            'password' => static::$password ??= Hash::make('password'),\n"  # its UserFactory
        "    $token = \\App\\Support\\Token::$current;\n"
    )
    assert redact(kept, keep_lines=True) == kept


@pytest.mark.parametrize(
    ("text", "password"),
    [
        (f"    'password' => 'abc|{SECRET}',\n", f"abc|{SECRET}"),  # a ``|`` in a password, no rule's name
        (f"    'password' => 'required|{SECRET}',\n", f"required|{SECRET}"),  # a rule's name, then no rule
        (f"    'password' => env('DB_PASSWORD', '{SECRET}'),\n", SECRET),  # a default in the code
        ("DB_PASSWORD=Sup3r::S3cret77\n", "Sup3r::S3cret77"),  # a static member's shape, with digits
    ],
)
def test_a_password_beside_rules_words_is_still_redacted(text: str, password: str) -> None:
    assert redact(text, keep_lines=True) == text.replace(password, REDACTED)


# -- a password as a credential's argument ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'var credential = new NetworkCredential("deploy", "{SECRET}");\n',
        f'client.Credentials = new NetworkCredential(options.UserName, "{SECRET}", "CORP");\n',
        f'return new PasswordAuthentication("user", "{SECRET}".toCharArray());\n',
        f'creds = new UsernamePasswordCredentials("admin", "{SECRET}");\n',
        f'r = requests.get(url, auth=HTTPBasicAuth("admin", "{SECRET}"))\n',
        f'r = requests.get(url, auth=("admin", "{SECRET}"))\n',
        f'req.SetBasicAuth("admin", "{SECRET}")\n',
        f'val credential = Credentials.basic("admin", "{SECRET}")\n',
        f"$pdo = new PDO('mysql:host=localhost;dbname=app', 'root', '{SECRET}');\n",
        f"$pdo = new \\PDO(getenv('DB_DSN'), $user, '{SECRET}', $options);\n",
        f'$mysqli = new mysqli("localhost", "root", "{SECRET}", "app");\n',
        f'$link = mysqli_connect("localhost", "root", "{SECRET}", "app");\n',
        f'    ftp_login($conn, "deploy", "{SECRET}");\n',
        f"if (!ssh2_auth_password($session, 'deploy', '{SECRET}')) {{\n",
        f"$redis->auth('{SECRET}');\n",  # phpredis
        f"$redis->auth(['phpredis', '{SECRET}']);\n",
        f'jedis.auth("{SECRET}");\n',
        f"    .auth('deploy', '{SECRET}')\n",  # superagent, supertest
        f'server.login("me@example.com", "{SECRET}")\n',  # smtplib, ftplib, imaplib
        f"mail.login(user, '{SECRET}')\n",
        f'Connection conn = DriverManager.getConnection(url, "root", "{SECRET}");\n',
        f'auth := smtp.PlainAuth("", "me@example.com", "{SECRET}", "smtp.example.com")\n',
        f'db = MySQLdb.connect("localhost", "app", "{SECRET}", "app")\n',
        f"conn = pymysql.connect('localhost', 'root', '{SECRET}', 'app')\n",
        f"ftp = FTP('ftp.example.com', 'deploy', '{SECRET}')\n",
    ],
)
def test_a_password_given_to_a_credential_s_constructor_is_redacted(text: str) -> None:
    """Only the call says what its second (PDO's and mysqli's third, Redis's ``auth``'s only or
    last) literal is: it went out."""
    assert_redacted(text)
    assert_not_in_prompts("// connect\n" + text + "// end\n", "// end")


def test_credentials_built_from_variables_or_placeholders_stay() -> None:
    kept = (
        "var credential = new NetworkCredential(userName, password);\n"
        'var example = new NetworkCredential("user", "password");\n'
        "$pdo = new PDO($dsn, $user, $password);\n"
        "ftp_login($conn, $user, $pass);\n"
        '$mysqli = new mysqli("localhost", "my_user", "my_password", "world");\n'
        "$pdo = new PDO('mysql:host=localhost;dbname=app', 'root', '');\n"
        "r = requests.get(url, auth=(user, password))\n"
        'r = requests.get(url, auth=("admin", os.environ["ADMIN_PASSWORD"]))\n'
        'auth = HTTPBasicAuth("user", "Password is required")\n'
        "$redis->auth($password);\n"
        "$redis->auth(['phpredis', getenv('REDIS_PASSWORD')]);\n"
        "redis.auth('password')\n"
        "server.login(user, password)\n"
        'server.login("me@example.com", "your_password")\n'
        "ftp = FTP('ftp.example.com')\n"
        "    .auth(token, { type: 'bearer' })\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- .NET's signing keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'{{\n  "Jwt": {{"Key": "{SECRET}", "Issuer": "me"}}\n}}\n',  # appsettings.json
        f'{{\n  "Jwt": {{\n    "Issuer": "https://localhost:5001",\n    "Audience": "https://localhost:5001",\n'
        f'    "ExpiryMinutes": 60,\n    "Key": "{SECRET}"\n  }}\n}}\n',
        f'{{\n  "Authentication": {{\n    "Google": {{\n      "Key": "{SECRET}"\n    }}\n  }}\n}}\n',
        f'{{\n  "Jwt:Key": "{SECRET}",\n  "Jwt:Issuer": "me"\n}}\n',  # secrets.json, Azure's settings
        f"Jwt__Key={SECRET}\n",  # the environment's name of Jwt:Key
        f'  "IssuerSigningKey": "{SECRET}",\n',
        f"JWT_SIGNING_KEY={SECRET}\n",
        f"HMAC_KEY={SECRET}\n",
        f'dotnet user-secrets set "Jwt:Key" "{SECRET}"\n',
        f'{{\n  "ConnectionStrings": {{\n    "Default": "Server=db;Database=app;User Id=sa;Password={SECRET};"\n  }}\n}}\n',
    ],
)
def test_a_signing_key_in_dotnet_s_settings_is_redacted(text: str) -> None:
    """A section's ``"Key"`` (bound as ``Jwt:Key``) says nothing of a secret on its line, nor
    did ``SigningKey``, ``HMAC_KEY`` or ``Jwt__Key``: each went out."""
    assert redact(text, keep_lines=True) == text.replace(SECRET, REDACTED)
    assert_not_in_prompts(text + "// end\n", "// end")


def test_neutral_keys_outside_secret_sections_and_code_reading_a_key_stay() -> None:
    kept = (
        '{\n  "Cache": {"Key": "app-cache-v2"},\n'
        '  "Logging": {"LogLevel": {"Default": "Information"}, "Key": "console"},\n'
        '  "Jwt": {"Key": "YOUR_SECRET_KEY", "Issuer": "me"},\n'
        '  "JwtSettings": {"Key": "", "Issuer": "me"}\n}\n'
        'var key = Encoding.UTF8.GetBytes(builder.Configuration["Jwt:Key"]);\n'
        "signing_key = load_key(path)\n"
        "IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwtKey)),\n"
        '"signedObject": {"s3": {"bucketName": "b", "key": "signed-2065c468-73e2-4385-a6c9-0123456789abc"}}\n'  # S3's
        '    "AWS::PaymentCryptography::Key": "af26a71fe21eb480",\n'  # a type's name, not Section:Key
        'n = attributes.get("NextSigningKeyLength", "RSA_1024_BIT")\n'
        "TPM_E_KEY_NOT_SIGNING_KEY: Final = -2144795622\n"  # winerror's code
    )
    assert redact(kept, keep_lines=True) == kept


# -- Android's and iOS's build settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'        buildConfigField("String", "API_KEY", "\\"{SECRET}\\"")\n',  # Kotlin DSL
        f"        buildConfigField \"String\", \"API_KEY\", '\"{SECRET}\"'\n",  # Groovy
        f"        buildConfigField 'String', 'CLIENT_SECRET', \"\\\"{SECRET}\\\"\"\n",
        f'        resValue("string", "maps_api_key", "{SECRET}")\n',
        f"\t<key>API_KEY</key>\n\t<string>{SECRET}</string>\n",  # Info.plist
        f"\t<key>FacebookClientToken</key>\n\t<string>{SECRET}</string>\n",
    ],
)
def test_a_secret_in_android_s_or_ios_s_build_settings_is_redacted(text: str) -> None:
    """A literal inside a literal after its name's literal, or a plist's ``<string>`` after its
    ``<key>``: no assignment between them, and it went out."""
    assert_redacted(text)
    assert_not_in_prompts("android {\n" + text + "}\n", "}\n")


def test_build_settings_from_properties_or_variables_stay() -> None:
    kept = (
        '        buildConfigField("String", "API_KEY", "\\"${localProps[\'apiKey\']}\\"")\n'
        '        buildConfigField("String", "API_KEY", "\\"$apiKey\\"")\n'
        '        buildConfigField("String", "API_KEY", "\\"" + apiKey + "\\"")\n'
        '        buildConfigField("String", "API_KEY", properties.getProperty("API_KEY"))\n'
        '        buildConfigField("String", "API_KEY", "\\"YOUR_API_KEY\\"")\n'
        '        buildConfigField("String", "BASE_URL", "\\"https://api.example.com\\"")\n'
        "\t<key>API_KEY</key>\n\t<string>$(API_KEY)</string>\n"
        "\t<key>API_KEY</key>\n\t<string>YOUR_API_KEY</string>\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- an .env file's empty values ----------------------------------------------------------------------------


def test_an_empty_value_before_the_next_line_s_assignment_leaves_that_line() -> None:
    """``DB_PASSWORD=`` then ``REDIS_PASSWORD=null`` (Laravel's .env.example): the next line was
    taken for the empty value and went out as ``[REDACTED]``, its name too."""
    kept = "DB_PASSWORD=\nREDIS_PASSWORD=null\nAWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\ndb.password=\ndb.user=app\n"
    assert redact(kept, keep_lines=True) == kept


@pytest.mark.parametrize("value", ["c2VjcmV0LXZhbHVlMQ==", SECRET, "Sup3r=S3cret-77"])
def test_a_value_below_an_empty_name_is_still_redacted(value: str) -> None:
    text = f"DB_PASSWORD=\n  {value}\n"
    assert redact(text, keep_lines=True) == text.replace(value, REDACTED)


# -- C#'s and Swift's names -----------------------------------------------------------------------------------


def test_a_key_a_token_is_stored_under_and_a_token_s_provider_stay() -> None:
    """Each went out as ``[REDACTED]``: a keychain's key (dotted words, one naming a secret),
    ASP.NET Identity's token provider and purpose, the type a Swift or Kotlin type conforms to."""
    kept = (
        '    static let accessTokenKey = "com.example.app.accessToken"\n'
        '    private let tokenKey = "auth.token.v2"\n'
        '    public const string PasswordResetTokenPurpose = "ResetPasswordTokenPurpose";\n'
        '        options.Tokens.PasswordResetTokenProvider = "Default";\n'
        "struct TokenResponse: Decodable {\n"
        "class TokenStore : Serializable {\n"
    )
    assert redact(kept, keep_lines=True) == kept


@pytest.mark.parametrize(
    "text",
    [
        '    password = "correct.horse.staple"\n',  # dotted words, none naming a secret
        '    SECRET_KEY = "django.insecure.Sup3r"\n',
    ],
)
def test_dotted_words_naming_no_secret_are_still_redacted(text: str) -> None:
    assert redact(text, keep_lines=True) == text.replace(text.split('"')[1], REDACTED)


def test_a_placeholder_in_angle_brackets_stays() -> None:
    """A sample configuration's ``"<your-secret-key>"`` went out as ``[REDACTED]``."""
    kept = '    "secret_key": "<your-secret-key>",\n  "ApiKey": "<YOUR API KEY>",\n'
    assert redact(kept, keep_lines=True) == kept
    assert redact(f'password = "<{SECRET}"\n') == f'password = "{REDACTED}"\n'  # a password starting with ``<``


# -- a literal a secret's lookup falls back to --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"$password = $_ENV['DB_PASSWORD'] ?? '{SECRET}';\n",
        f"$password = getenv('DB_PASSWORD') ?: '{SECRET}';\n",
        f'private static readonly string ApiKey = Environment.GetEnvironmentVariable("API_KEY") ?? "{SECRET}";\n',
        f'    const apiKey = process.env.API_KEY || "{SECRET}";\n',
        f'    val apiKey = System.getenv("API_KEY") ?: "{SECRET}"\n',
        f'  let apiKey = ProcessInfo.processInfo.environment["API_KEY"] ?? "{SECRET}"\n',
        f'    api_key = os.getenv("API_KEY") or "{SECRET}"\n',
        f"ENV DB_PASSWORD=${{DB_PASSWORD:-{SECRET}}}\n",  # a Dockerfile's, a shell's
        f"      POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:-{SECRET}}}\n",  # a compose file's
    ],
)
def test_a_literal_a_secret_s_lookup_falls_back_to_is_redacted(text: str) -> None:
    """The assignment's value is the lookup, code: the literal after ``??``, ``?:``, ``||``,
    ``or`` or ``:-`` went out."""
    assert_redacted(text)
    assert_not_in_prompts("# config\n" + text + "# end\n", "# end")


@pytest.mark.parametrize(
    "text",
    [
        "$password = getenv('DB_PASSWORD') ?: 'correcthorse';\n",
        "$password = $_ENV['DB_PASSWORD'] ?? 'correcthorse';\n",
        '    const apiKey = process.env.API_KEY || "correcthorse";\n',
        '    const apiKey = import.meta.env.VITE_API_KEY || "correcthorse";\n',
        '    api_key = os.getenv("API_KEY") or "correcthorse"\n',
        '  let apiKey = ProcessInfo.processInfo.environment["API_KEY"] ?? "correcthorse"\n',
        '    password = os.environ.get("DB_PASSWORD", "correcthorse")\n',
        "    'password' => env('DB_PASSWORD', 'correcthorse'),\n",  # Laravel's configuration
        '  token = ENV.fetch("API_TOKEN", "correcthorse")\n',
    ],
)
def test_a_word_the_environment_s_lookup_falls_back_to_is_redacted(text: str) -> None:
    """Only a literal with a digit or a symbol was taken for a secret (``args.password or
    "interactive"`` is a setting's): where the environment is read, the word is the password a
    setup runs with when none is set, and it went out."""
    assert redact(text, keep_lines=True) == text.replace("correcthorse", REDACTED)
    assert_not_in_prompts("# config\n" + text + "# end\n", "# end", secret="correcthorse")


def test_lookups_falling_back_to_no_secret_stay() -> None:
    kept = (
        '    token = request.headers.get("token") or ""\n'
        '    mode = args.password or "interactive"\n'  # a word: a setting's default
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}\n"
        "      DB_PASSWORD: ${DB_PASSWORD:-}\n"
        "      DB_PASSWORD: ${DB_PASSWORD:-$FALLBACK_PASSWORD}\n"
        '    raise ValueError("password or token is required")\n'
        '            api_key_selection_expression or "$request.header.x-api-key"\n'  # moto's
        '    token = kwargs.get("token", "default")\n'  # not the environment: a setting's word
        "    'password' => env('DB_PASSWORD', ''),\n"
        "    'password' => env('DB_PASSWORD', 'password'),\n"
        "    'password' => env('DB_PASSWORD', 'your-password'),\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- a scope's ``::`` and LDIF's ----------------------------------------------------------------------------


def test_a_scope_s_double_colon_is_no_separator() -> None:
    """``SecretsManager::Secret`` was a name, ``:`` and a value (``:Secret``), which went out
    as ``[REDACTED]`` (cfn-lint's resource types, C++'s and Ruby's scopes)."""
    kept = (
        '    "AWS::SecretsManager::SecretTargetAttachment": {"Ref": "Attachment"},\n'
        "    TOKEN::Kind => 1,\n"
        "  value = Rails::Secrets::MissingKeyError\n"
    )
    assert redact(kept, keep_lines=True) == kept


def test_a_type_s_name_in_quotes_with_its_scopes_is_no_secret_s_name() -> None:
    """cfn-lint's schemas map each resource type to a hash: ``"AWS::ApiGateway::ApiKey":
    "48205d4ffd7feba3"`` went out as ``[REDACTED]`` (418 lines of the corpus); a constant
    assigned in a scope is still a secret's name."""
    kept = (
        '    "AWS::ApiGateway::ApiKey": "48205d4ffd7feba3",\n'
        '    "AWS::SecretsManager::Secret": "c85175a4ebcce361",\n'
        '    "AWS::Route53::KeySigningKey": "a9a67ae6c371fcf4",\n'
    )
    assert redact(kept, keep_lines=True) == kept
    assert_redacted(f'Config::API_KEY = "{SECRET}"\n')


def test_an_ldif_base64_password_is_redacted() -> None:
    """LDIF's ``::`` says the value is base64: it went out."""
    assert_redacted(f"userPassword:: {SECRET}\n")


# -- names in a secret's place ------------------------------------------------------------------------------


def test_a_field_s_name_or_the_name_again_in_a_secret_s_place_stays() -> None:
    """Each went out as ``[REDACTED]``: botocore's paginators (5,724 lines of its service
    models, ``"input_token": "NextToken"``), an enum's or a constant's value that is its name."""
    kept = (
        '      "input_token": "NextToken",\n'
        '      "output_token": "nextPageToken",\n'
        'const SilentIframeClientAcquireToken = "silentIframeClientAcquireToken";\n'
        '    PasswordReset: "PasswordReset",\n'
        'PASSWORD_RESET = "password-reset"\n'
    )
    assert redact(kept, keep_lines=True) == kept


def test_a_paginator_s_fields_stay() -> None:
    """botocore's paginators name the field their token is read from and written to:
    ``"input_token": "Marker"`` went out as ``[REDACTED]`` (872 lines of the corpus: ``Marker``,
    ``NextMarker``, ``DistributionList.NextMarker``, ``Contents[-1].Key``)."""
    kept = (
        '      "input_token": "Marker",\n'
        '      "output_token": "NextMarker",\n'
        '      "output_token": "DistributionList.NextMarker",\n'
        '      "output_token": "NextMarker || Contents[-1].Key",\n'
        '      "output_token": "StreamDescription.Shards[-1].ShardId",\n'
        '        "input_token": "next_marker",\n'  # moto's
    )
    assert redact(kept, keep_lines=True) == kept
    assert_redacted(f'    input_token = "{SECRET}"\n')


def test_tokens_that_are_no_credential_and_words_about_a_token_stay() -> None:
    """Each went out as ``[REDACTED]`` (botocore's and awscli's examples): a listing's resuming
    token, a change's or a lock's, a sentence about one, a key's spec, a validity's unit, where
    a token is put."""
    kept = (
        '    "NextToken": "57r3EXAMPLEujbzWfHF7Ciw==:ywSmZsD3mtpQmQLQ5XfOsIMkYybSj",\n'
        '    "ChangeToken": "abcd12f2-46da-4fdb-b8d5-fbd4c466928f",\n'
        '    "LockToken":"7f36cb30-74ef-4cff-8cd4-a77e1aba1746",\n'
        '    "token": "A dynamically generated value, used for paginating results."\n'
        '    "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",\n'
        '        "AccessToken": "minutes",\n'
        '    token_placement: str = "header",\n'
    )
    assert redact(kept, keep_lines=True) == kept
    for text in (f'    "AccessToken": "{SECRET}",\n', f'client_token = "{SECRET}"\n', f'password = "{SECRET}, the rest."\n'):
        assert SECRET not in redact(text)


@pytest.mark.parametrize(
    "text", ['    token = "Sup3rToken"\n', '    api_token = "MyToken2"\n', '    password = "hunter22"\n']
)
def test_a_token_shaped_like_a_name_with_a_digit_is_still_redacted(text: str) -> None:
    assert redact(text, keep_lines=True) == text.replace(text.split('"')[1], REDACTED)


def test_a_language_model_s_token_counts_and_limits_stay() -> None:
    """Each went out as ``[REDACTED]``: a number under a name with "token" in it."""
    kept = (
        '    "usage": {"input_tokens": 1234567, "output_tokens": 345678},\n'
        "MAX_TOKENS = 128000\n"
        "max_new_tokens=100000\n"
        "token_limit = 100000\n"
        "TOKEN_BUDGET = 120000\n"
    )
    assert redact(kept, keep_lines=True) == kept
    assert redact("PIN_PASSWORD = 123456\n") == f"PIN_PASSWORD = {REDACTED}\n"  # a secret's number
    assert redact(f"API_TOKENS={SECRET}\n") == f"API_TOKENS={REDACTED}\n"


def test_a_constant_or_a_keyword_argument_in_a_secret_s_place_stays() -> None:
    """Each went out as ``[REDACTED]``: a pygments style's ``Token: FG_DEFAULT``, botocore's
    ``'ec2_credential_refresh_window': _DEFAULT_ADVISORY_REFRESH_TIMEOUT``, moto's
    ``api_key_required=key_req,``."""
    kept = (
        "        Token:                      FG_DEFAULT,\n"
        "        'ec2_credential_refresh_window': _DEFAULT_ADVISORY_REFRESH_TIMEOUT,\n"
        "    'password' => DEFAULT_PASSWORD,\n"
        "            api_key_required=key_req,\n"
        "    client = make(api_key=api_key_from_env)\n"
    )
    assert redact(kept, keep_lines=True) == kept


def test_a_variable_or_a_class_in_a_secret_s_place_stays() -> None:
    """Each went out as ``[REDACTED]``: pygments' ``token = Keyword`` in a lexer's function,
    typeshed's annotations (``client_secret: Incomplete``, ``token_handler: TokenBase``), a
    dict's or a call's variable (``Token: foreground,``, ``'tokenmerge': TokenMergeFilter,``,
    ``token_refresh_headers=headers,``), a type named for the variable."""
    kept = (
        "            token = Keyword\n"
        "        token = Punctuation\n"
        "    client_secret: Incomplete\n"
        "    def run(self, token: object, signal: int) -> None: ...\n"
        "    password_grant: ResourceOwnerPasswordCredentialsGrant\n"
        "    state_credentials: StateCredentials\n"
        "    token_loader_cls = FileWebIdentityTokenLoader\n"
        "    token_handler: TokenBase\n"
        "        Token:                  foreground,\n"
        "    'tokenmerge':     TokenMergeFilter,\n"
        '            "secrets": secrets_map,\n'
        '        "fail_on_invalid_token": InvalidContinuationToken,\n'
        "                token_refresh_headers=headers,\n"
        "    access_token_generator: _TokenGenerator\n"
        "    signing_key: EllipticCurvePrivateKey\n"
        "PrivateKeyWithSerialization = DHPrivateKey\n"
        "        token_generator=lambda item: item.next_token,\n"
    )
    assert redact(kept, keep_lines=True) == kept


@pytest.mark.parametrize(
    "text",
    [
        "password = Sunshine\n",  # an INI file's line, at its start
        "PASSWORD = SuperSecret\n",
        "  password: SuperSecret\n",  # a YAML value ending in a secret's word
        "  password: Hunter\n",
        "password: hunterPass",  # the cursor after it
    ],
)
def test_a_word_shaped_like_a_variable_alone_on_its_line_is_still_redacted(text: str) -> None:
    value = text.split()[-1]
    assert redact(text, keep_lines=True) == text.replace(value, REDACTED)


@pytest.mark.parametrize("text", ["DB_PASSWORD=CORRECT_HORSE\n", "  export API_TOKEN=abc_def_ghi\n", "API_TOKEN=abc_def_ghi"])
def test_an_env_file_s_value_shaped_like_a_constant_or_a_variable_is_still_redacted(text: str) -> None:
    """An .env line's ``NAME=value`` ends at its value: no comma or bracket after it."""
    name = text.split("=")[0]
    assert redact(text, keep_lines=True) == name + "=" + REDACTED + text[len(text.rstrip("\n")) :]


def test_a_class_named_for_a_secret_and_its_docstring_stay() -> None:
    """``class SemanticTokens:`` and its docstring were a name and its value: lsprotocol's 19
    ``\"\"\"@since 3.16.0\"\"\"`` went out as ``[REDACTED]``."""
    kept = 'class SemanticTokens:\n    """@since 3.16.0"""\n\nclass ApiKey:\n    """v2 keys, 32 bytes."""\n'
    assert redact(kept, keep_lines=True) == kept
    assert_redacted(f'class Config:\n    password = "{SECRET}"\n')


def test_a_colour_or_a_style_under_a_token_s_name_stays() -> None:
    """A pygments style's ``Token: "#d8dee9"`` went out as ``[REDACTED]`` (27 lines of its styles)."""
    kept = (
        '        Token:                      "#d8dee9",\n'
        "        Token:                  '#000080',   # Blue\n"
        '        Token.Comment: "italic bg:#f8f8f8 #888",\n'
    )
    assert redact(kept, keep_lines=True) == kept
    assert redact('password: "#abc1234"\n') == f'password: "{REDACTED}"\n'  # no colour's length


def test_a_bearer_challenge_s_parameters_stay() -> None:
    """``WWW-Authenticate: Bearer authorization_uri="..."`` sent ``Bearer [REDACTED]"https://..."``:
    the parameter's name and ``=`` taken for a token (12 lines of the Azure SDK's docs)."""
    kept = ' * Bearer authorization_uri="https://login.windows-ppe.net/", error="invalid_token",\n'
    assert redact(kept, keep_lines=True) == kept
    assert redact("Authorization: Bearer Sup3rS3cret77Sup3rS3cret77==\n") == f"Authorization: Bearer {REDACTED}\n"


def test_an_expression_selecting_an_api_key_stays() -> None:
    """API Gateway's ``"ApiKeySelectionExpression": "$request.header.x-api-key"`` (awscli's
    examples) went out as ``[REDACTED]``: where the key is read, not the key."""
    kept = '  "ApiKeySelectionExpression": "$request.header.x-api-key",\n'
    assert redact(kept, keep_lines=True) == kept


# -- a builder's or a Lua method's password (usersim52) ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'conn:auth("{SECRET}")\n',  # Lua's redis client: a method called with ``:``
        f"local ok, err = red:auth('{SECRET}')\n",  # OpenResty's lua-resty-redis
        f'    DataSource ds = DataSourceBuilder.create().url(url).password("{SECRET}").build();\n',  # Spring
        f'    .password("{SECRET}")\n',  # the builder's call on a line of its own
        f'new PostgreSQLContainer<>("postgres:16").withPassword("{SECRET}");\n',  # Testcontainers
        f'val client = OpenAIOkHttpClient.builder().apiKey("{SECRET}").build()\n',  # openai-java, Kotlin
        f'    .clientSecret("{SECRET}")\n',  # Spring Security's ClientRegistration
        f'config.setPassword("{SECRET}"); config.setUsername("app");\n',  # HikariCP, not last on its line
    ],
)
def test_a_password_given_to_a_builder_or_a_lua_method_is_redacted(text: str) -> None:
    """A Java or Kotlin builder's ``.password("…")`` (a setter's name without ``set``, or
    ``with``), a setter's call with code after it on its line, and Redis's ``auth`` called the
    Lua way, ``conn:auth("…")``: no name the value is assigned to says what it is, only the
    method's; each went out in the prompt (found typing real Java and Lua code)."""
    assert_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        'String token = vault.getToken("github-app-2024");\n',  # a getter names the secret it reads
        'assertThat(validator.isPassword("Sup3r-S3cret-77x")).isFalse();\n',
        'val spec = Spec.builder().passwordEncoder(encoder).tokenStore("jdbc-store-1").build()\n',
        'local secret = vault:read("kv/app-2024")\n',
    ],
)
def test_a_method_that_reads_or_checks_a_secret_keeps_its_argument(text: str) -> None:
    """A getter's or a check's argument is a name or a test's value, not a secret given."""
    assert redact(text, keep_lines=True) == text
