"""Two-factor log-in (TOTP, django-otp).

After the password, a user with a confirmed authenticator device must enter its 6-digit code before any
page works; the roles in settings.GREENOFFICE_REQUIRE_2FA_ROLES (administrators and inspectors) must set
one up first. Modules: selectors (who owes a code), services (set up, verify, turn off, reset: each
audited), middleware (the gate), views/forms/urls (the pages), qr (the QR code, drawn here as SVG so no
image is fetched from anywhere), signals (remember at log-in whether the user has a device)."""
