package com.acme.auth

import io.ktor.server.application.*
import io.ktor.server.auth.*
import io.ktor.server.auth.jwt.*

data class Credentials(val username: String, val password: String)

data class AuthConfig(
    val apiKey: String = System.getenv("API_KEY") ?: "",
    val jwtSecret: String = System.getenv("JWT_SECRET") ?: error("JWT_SECRET is not set"),
    val tokenTtlSeconds: Long = 900,
)

class TokenService(private val secret: String, private val issuer: String) {
    private val algorithm = Algorithm.HMAC256(secret)

    fun issue(userId: String): String {
        val token: String = JWT.create()
            .withIssuer(issuer)
            .withSubject(userId)
            .sign(algorithm)
        return token
    }

    fun verify(token: String): DecodedJWT? = runCatching { verifier.verify(token) }.getOrNull()
}

fun Application.configureSecurity() {
    val secret = environment.config.property("jwt.secret").getString()
    val password: String = environment.config.propertyOrNull("db.password")?.getString() ?: ""
    val apiToken by lazy { System.getenv("API_TOKEN") }
    lateinit var refreshToken: String
    var accessToken: String? = null
    val passwordEncoder = BCryptPasswordEncoder()
    val hashed = passwordEncoder.encode(password)
    install(Authentication) {
        jwt("auth-jwt") {
            realm = "acme"
            verifier(JWT.require(Algorithm.HMAC256(secret)).build())
        }
    }
    val token = call.request.headers["Authorization"]?.removePrefix("Bearer ")
    val apiKey = call.request.queryParameters["api_key"] ?: return
    val secretKey = SecretKeySpec(secret.toByteArray(), "HmacSHA256")
    log.info("token issued for ${credentials.username}")
}

const val PASSWORD_MIN_LENGTH = 12
const val TOKEN_HEADER = "Authorization"
private const val API_KEY_PARAM = "api_key"
fun login(username: String, password: CharArray): Boolean = authService.check(username, password)
val password: CharArray? = null
private val apiKey: String by lazy { BuildConfig.API_KEY }
val apiKey = BuildConfig.API_KEY
buildConfigField("String", "API_KEY", "\"${System.getenv("API_KEY")}\"")
val keystorePassword = System.getenv("KEYSTORE_PASSWORD") ?: ""
signingConfigs {
    create("release") {
        storeFile = file("release.keystore")
        storePassword = System.getenv("KEYSTORE_PASSWORD")
        keyAlias = "release"
        keyPassword = keystoreProperties["keyPassword"] as String
    }
}
var token: String? by mutableStateOf(null)
class Session(val token: Token, val refreshToken: Token?)
