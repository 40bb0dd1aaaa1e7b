package config

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Config holds the service's settings, read from the environment.
type Config struct {
	DatabaseURL    string        `envconfig:"DATABASE_URL" required:"true"`
	DBPassword     string        `envconfig:"DB_PASSWORD" required:"true" json:"-"`
	APIKey         string        `envconfig:"API_KEY" json:"api_key,omitempty"`
	JWTSecret      []byte        `envconfig:"JWT_SECRET"`
	TokenTTL       time.Duration `envconfig:"TOKEN_TTL" default:"15m"`
	RefreshToken   string        `yaml:"refresh_token" mapstructure:"refresh_token"`
	SecretKeyRef   *SecretKeySelector
	PasswordHash   []byte
	apiKey         int64
	MaxTokenLength int
}

type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Token    string `json:"token,omitempty"`
}

var ErrNoToken = errors.New("auth: no token in request")

const (
	tokenHeader   = "Authorization"
	passwordField = "password"
	apiKeyParam   = "api_key"
)

func Load() (*Config, error) {
	var cfg Config
	if err := envconfig.Process("", &cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	password := os.Getenv("DB_PASSWORD")
	if password == "" {
		return nil, errors.New("DB_PASSWORD is not set")
	}
	cfg.DBPassword = password
	apiKey, ok := os.LookupEnv("API_KEY")
	if !ok {
		apiKey = cfg.APIKey
	}
	token := r.Header.Get(tokenHeader)
	secret := []byte(os.Getenv("JWT_SECRET"))
	cfg.JWTSecret = secret
	accessToken, err := oauthConfig.Exchange(ctx, code)
	if err != nil {
		return nil, err
	}
	creds := Credentials{Username: user, Password: password, Token: accessToken.AccessToken}
	tokenString, err := jwtToken.SignedString(secret)
	_ = apiKey
	_ = token
	_ = creds
	_ = tokenString
	return &cfg, nil
}

func (c *Config) Redacted() Config {
	out := *c
	out.DBPassword = "********"
	out.APIKey = ""
	return out
}

func hashPassword(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
}

func checkToken(token *oauth2.Token) bool {
	return token.Valid() && token.Expiry.After(time.Now())
}

var passwordRegexp = regexp.MustCompile(`^[A-Za-z0-9!@#$%^&*]{12,64}$`)
var tokenSource oauth2.TokenSource = conf.TokenSource(ctx, tok)
func NewClient(apiKey string, token *oauth2.Token) *Client {
	return &Client{
		APIKey:   apiKey,
		Password: os.Getenv("DB_PASSWORD"),
		Token:    token,
		Secret:   cfg.Secret,
	}
}

func readSecret(path string) (string, error) {
	password, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	flag.StringVar(&password, "password", "", "the database password")
	apiToken := viper.GetString("api.token")
	secretKey := []byte(viper.GetString("jwt.secret_key"))
	db, err := sql.Open("postgres", fmt.Sprintf("host=%s user=%s password=%s dbname=%s", host, user, password, name))
	var token string
	var password = flag.String("password", "", "password for the admin user")
	return strings.TrimSpace(string(password)), nil
}
