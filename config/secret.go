package config

import "log/slog"

// Secret is a credential. Printing, logging or rendering it shows a mask,
// never the value; Value returns the value for the one place that needs it.
type Secret string

const mask = "********"

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String returns a mask, or "" when the secret is not set.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return mask
}

// GoString masks the secret in %#v output.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// LogValue masks the secret in log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalYAML masks the secret when the configuration is rendered.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON masks the secret when the configuration is rendered as JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }
