# Copy to instance/config.py and adjust. Environment variables JGRAD_<NAME> win over this file.

# PostgreSQL in production (psycopg 3):
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://jgrad@127.0.0.1:5432/jgrad"

# A long random value; if unset, one is generated into instance/secret_key.
# SECRET_KEY = "..."

# Mail. With no SMTP_HOST, mail waits in the outbox (written to instance/mail/*.eml only in
# development).
# SMTP_HOST = "smtp.example.org"
# SMTP_PORT = 587
# SMTP_TLS = True            # STARTTLS
# SMTP_USER = "jgrad"
# SMTP_PASSWORD = "..."
# MAIL_SENDER = "JGRAD <no-reply@jgrad.example.org>"
# SERVER_NAME_FOR_MAIL = "https://jgrad.example.org"   # base of links in mail sent by jobs

# Rate limits are kept in Redis in production.
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"

# Behind one reverse proxy that sets X-Forwarded-For / X-Forwarded-Proto:
# PROXY_FIX_X_FOR = 1

# Statistical releases: "suppression" (hidden small cells, rounding, the interval audit) or
# "differential_privacy" (every count with noise from OpenDP; docs/statistics.md).
# STATS_METHOD = "differential_privacy"
# STATS_DP_RHO = 0.5            # privacy loss of one release (zero-concentrated DP)
# STATS_DP_RHO_PER_YEAR = 2.0   # at most this for all private releases of a fiscal year
