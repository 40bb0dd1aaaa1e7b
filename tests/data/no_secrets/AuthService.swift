import Foundation

enum Config {
    static let apiKey = Bundle.main.object(forInfoDictionaryKey: "API_KEY") as? String ?? ""
    static let baseURL = URL(string: "https://api.example.com")!
}

final class AuthService {
    private let keychain = KeychainWrapper.standard
    var accessToken: String? {
        get { keychain.string(forKey: "accessToken") }
        set { keychain.set(newValue ?? "", forKey: "accessToken") }
    }
    let password: String
    private var refreshToken: String?

    init(password: String) {
        self.password = password
    }

    func login(username: String, password: String) async throws -> Token {
        let body = ["username": username, "password": password]
        let token = try await client.post("/login", body: body)
        self.accessToken = token.accessToken
        return token
    }
}

struct TokenResponse: Decodable {
    let accessToken: String
    let refreshToken: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
    }
}

enum KeychainKeys {
    static let accessTokenKey = "com.example.app.accessToken"
    static let refreshTokenKey = "com.example.app.refresh_token"
    static let passwordKey = "auth.password.v2"
}
