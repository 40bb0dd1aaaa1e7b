"""A key written as a literal into the call that signs or encrypts with it (a JWT's, an HMAC's,
a cipher's, a cookie signer's): no name says secret there, and each went out whole."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)

FORMS = [
    f'token = jwt.encode(payload, "{SECRET}", algorithm="HS256")\n',
    f'claims = jwt.decode(token, key="{SECRET}", algorithms=["HS256"])\n',
    f'const token = jwt.sign({{ id: user.id }}, "{SECRET}", {{ expiresIn: "1h" }});\n',
    f"token = JWT.encode payload, '{SECRET}', 'HS256'\n",
    f'digest = hmac.new(b"{SECRET}", body, hashlib.sha256).hexdigest()\n',
    f'const mac = crypto.createHmac("sha256", "{SECRET}").update(body).digest("hex");\n',
    f'mac := hmac.New(sha256.New, []byte("{SECRET}"))\n',
    f'box = Fernet(b"{SECRET}")\n',
    f'cipher = AES.new(b"{SECRET}", AES.MODE_GCM)\n',
    f'app.use(cookieParser("{SECRET}"));\n',
]


@pytest.mark.parametrize("text", FORMS)
def test_a_key_written_into_a_signing_or_encrypting_call_is_not_sent(text: str) -> None:
    assert_redacted(text)
    assert_not_in_prompts(text, SECRET)


def test_a_signing_call_given_a_variable_or_a_test_s_word_stays() -> None:
    text = (
        'token = jwt.encode(payload, "secret", algorithm="HS256")\n'
        "token = jwt.encode(payload, settings.SECRET_KEY)\n"
        'claims = jwt.decode(token, options={"verify_signature": False})\n'
        "digest = hmac.new(key, msg, hashlib.sha256)\n"
        'const mac = crypto.createHmac("sha256", secret);\n'
        "box = Fernet(Fernet.generate_key())\n"
        "cipher = AES.new(key, AES.MODE_CBC, iv)\n"
        "app.use(cookieParser(process.env.COOKIE_SECRET));\n"
    )
    assert redact(text) == text


@pytest.mark.parametrize("unit", ["jwt.encode(a, ", "hmac.New(a, ", "jwt.sign(" + "a" * 90 + ", ", 'Fernet(b"'])
def test_signing_calls_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time("signing calls", repeated(unit))
