using System.Net;
using Microsoft.Extensions.Configuration;

public class MailService
{
    private readonly string _apiKey;
    private readonly string _password;
    public string Password { get; set; }
    public SecureString SecurePassword { get; init; }

    public MailService(IConfiguration configuration)
    {
        _apiKey = configuration["SendGrid:ApiKey"];
        _password = configuration.GetValue<string>("Smtp:Password");
        var connectionString = configuration.GetConnectionString("DefaultConnection");
        var token = await _tokenService.GetTokenAsync(user);
        var credential = new NetworkCredential(userName, password);
        var creds = new NetworkCredential(options.UserName, options.Password, options.Domain);
        var signingKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configuration["Jwt:Key"]!));
        builder.Services.Configure<SmtpOptions>(builder.Configuration.GetSection("Smtp"));
        string password = Environment.GetEnvironmentVariable("DB_PASSWORD") ?? throw new InvalidOperationException();
        if (string.IsNullOrEmpty(password)) throw new ArgumentException("Password is required", nameof(password));
    }
}

public static class IdentitySetup
{
    public const string PasswordResetTokenPurpose = "ResetPasswordTokenPurpose";

    public static void Configure(IdentityOptions options)
    {
        options.Password.RequiredLength = 12;
        options.Tokens.PasswordResetTokenProvider = "Default";
        options.Tokens.EmailConfirmationTokenProvider = "EmailConfirmation";
    }
}
