-- Sign-in with OpenID Connect per organisation (issue 19, item 2): the
-- issuer, client id, the path of the file with the client secret (the
-- secret is not in the database) and the claim that names the account.
-- users.oidc_subject is the issuer's subject id linked to an account (for
-- claim 'sub'), unique within the organisation.
CREATE TABLE org_oidc (
	org_id      TEXT PRIMARY KEY REFERENCES organisations (id),
	issuer      TEXT NOT NULL CHECK (issuer LIKE 'http%://%'),
	client_id   TEXT NOT NULL CHECK (client_id <> ''),
	secret_file TEXT NOT NULL CHECK (secret_file LIKE '/%'),
	claim       TEXT NOT NULL CHECK (claim IN ('email', 'sub')),
	updated_at  TEXT NOT NULL
) STRICT;

ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_subject ON users (org_id, oidc_subject) WHERE oidc_subject IS NOT NULL;
