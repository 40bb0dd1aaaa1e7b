plugins {
    `maven-publish`
    signing
    kotlin("jvm") version "1.9.22"
}

val ossrhUsername: String? by project
val ossrhPassword: String? by project
val signingKey: String? = findProperty("signingKey") as String?
val signingPassword = providers.gradleProperty("signingPassword").orNull

publishing {
    repositories {
        maven {
            name = "OSSRH"
            url = uri("https://s01.oss.sonatype.org/service/local/staging/deploy/maven2/")
            credentials {
                username = ossrhUsername ?: System.getenv("OSSRH_USERNAME")
                password = ossrhPassword ?: System.getenv("OSSRH_PASSWORD")
            }
        }
        maven {
            name = "GitHubPackages"
            url = uri("https://maven.pkg.github.com/acme/widgets")
            credentials {
                username = project.findProperty("gpr.user") as String? ?: System.getenv("USERNAME")
                password = project.findProperty("gpr.key") as String? ?: System.getenv("TOKEN")
            }
        }
    }
}

signing {
    useInMemoryPgpKeys(signingKey, signingPassword)
    sign(publishing.publications)
}

tasks.register("printToken") {
    val token = System.getenv("CI_JOB_TOKEN") ?: "none"
    doLast { println("token set: ${token != "none"}") }
}
