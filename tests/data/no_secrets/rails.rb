# config/initializers/stripe.rb
Stripe.api_key = Rails.application.credentials.stripe[:secret_key]
Stripe.api_key = Rails.application.credentials.dig(:stripe, :secret_key)
SENDGRID_API_KEY = ENV.fetch("SENDGRID_API_KEY")
API_TOKEN = ENV.fetch("API_TOKEN") { raise "API_TOKEN is not set" }
GITHUB_TOKEN = ENV["GITHUB_TOKEN"]
secret_key_base = Rails.application.credentials.secret_key_base
config.secret_key_base = ENV.fetch("SECRET_KEY_BASE", nil)

class User < ApplicationRecord
  has_secure_password
  has_secure_token :auth_token
  has_secure_token :password_reset_token, length: 36

  validates :password, length: { minimum: 12 }, allow_nil: true
  encrypts :api_key, deterministic: true

  def self.authenticate(email, password)
    user = find_by(email: email)
    user&.authenticate(password)
  end

  def regenerate_api_key!
    update!(api_key: SecureRandom.hex(32))
  end

  def password_reset_expired?
    password_reset_sent_at < 2.hours.ago
  end
end

class SessionsController < ApplicationController
  def create
    user = User.authenticate(params[:email], params[:password])
    token = JsonWebToken.encode(user_id: user.id)
    render json: { token: token, expires_in: 15.minutes.to_i }
  end

  private

  def session_params
    params.require(:session).permit(:email, :password, :remember_me)
  end
end

module JsonWebToken
  SECRET_KEY = Rails.application.credentials.secret_key_base.to_s
  def self.encode(payload, exp = 24.hours.from_now)
    payload[:exp] = exp.to_i
    JWT.encode(payload, SECRET_KEY)
  end
end

Devise.setup do |config|
  config.secret_key = Rails.application.credentials.devise_secret_key
  config.password_length = 12..128
  config.reset_password_within = 6.hours
  config.pepper = ENV["DEVISE_PEPPER"]
end

client = Octokit::Client.new(access_token: ENV.fetch("GITHUB_TOKEN"))
redis = Redis.new(url: ENV["REDIS_URL"], password: ENV["REDIS_PASSWORD"])
aws = Aws::S3::Client.new(access_key_id: ENV["AWS_ACCESS_KEY_ID"], secret_access_key: ENV["AWS_SECRET_ACCESS_KEY"])
token = request.headers["Authorization"]&.split(" ")&.last
password_digest = BCrypt::Password.create(password)
config.action_mailer.smtp_settings = {
  user_name: Rails.application.credentials.smtp[:user_name],
  password: Rails.application.credentials.smtp[:password],
  authentication: :plain,
}
token = SecureRandom.urlsafe_base64(32)
api_key = Rails.application.credentials.fetch(:api_key)
secret = Rails.application.secret_key_base
password = params.require(:user).fetch(:password)
user = User.create!(email: "a@example.com", password: password, password_confirmation: password)
