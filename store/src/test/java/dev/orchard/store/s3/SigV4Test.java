package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** Orchard's SigV4 signs exactly as the SDK's own signer does for S3 (unsigned payload, no double encoding). */
class SigV4Test {

    private static final Instant NOW = Instant.parse("2026-11-21T13:01:02Z");

    @Test
    void signsAnObjectGetAsTheSdkDoes() {
        assertSameAsSdk("GET", "examplebucket.s3.us-east-1.amazonaws.com", "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(
                "photos/Äpfel rot/a+b\r\u0001 (1)~.jpg"), "", AwsBasicCredentials.create("AKIDEXAMPLE", "secret/Key+1"),
                "us-east-1");
    }

    @Test
    void signsAListingWithItsQueryAndASessionTokenAsTheSdkDoes() {
        String query = "delimiter=%2F&encoding-type=url&list-type=2&max-keys=1&prefix="
                + SdkHttpUtils.urlEncode("in/dir 1/") + "&start-after=" + SdkHttpUtils.urlEncode("in/dir 1/k+1\r.jpg");
        assertSameAsSdk("GET", "127.0.0.1:9000", "/bucket", query,
                AwsSessionCredentials.create("ASIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "token/with+signs=="), "eu-west-3");
    }

    @Test
    void signsAGetThatAsksForTheStoredChecksumAsTheSdkDoes() {
        assertSameAsSdk("GET", "b.s3.eu-west-1.amazonaws.com", "/k.jpg", "", true,
                AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "token"), "eu-west-1");
    }

    @Test
    void signsAHeadAsTheSdkDoesAndReusesTheDaysKeyOnlyForThatDayRegionAndSecret() {
        SigV4 signer = new SigV4();
        AwsCredentials a = AwsBasicCredentials.create("AKIDEXAMPLE", "one");
        AwsCredentials b = AwsBasicCredentials.create("AKIDEXAMPLE", "two");
        String first = signer.sign("HEAD", "h", "/b/k", "", a, "us-east-1", NOW).authorization();
        assertThat(signer.sign("HEAD", "h", "/b/k", "", b, "us-east-1", NOW).authorization()).isNotEqualTo(first);
        assertThat(signer.sign("HEAD", "h", "/b/k", "", a, "us-west-2", NOW).authorization()).isNotEqualTo(first);
        assertThat(signer.sign("HEAD", "h", "/b/k", "", a, "us-east-1", NOW).authorization()).isEqualTo(first);
        assertSameAsSdk("HEAD", "h", "/b/k", "", a, "us-east-1");
    }

    @Test
    void aKeyIsEncodedAsTheSdkEncodesItWithOrWithoutCharactersToEscape() {
        for (String key : new String[] {"img/00042/photo_1.jpg", "a-b.c_d~e/F9", "a b", "a+b", "a*b", "ä/ö", "%41",
                "x?y=z&w", "k#1", "a//b/", "\r\n", "\u0001", "😀.jpg", ""}) {
            assertThat(S3Requests.objectPath(key)).as(key).isEqualTo("/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        }
    }

    @Test
    void randomKeysAreEncodedAndDecodedAsTheSdkDoes() {
        long seed = Long.getLong("orchard.test.seed", 20261130L); // fixed, so that every run checks the same keys
        System.out.println("randomKeysAreEncodedAndDecodedAsTheSdkDoes seed " + seed + " (-Dorchard.test.seed=N for others)");
        java.util.Random random = new java.util.Random(seed);
        String alphabet = "aZ09-._~/ +*%?&=#:@!$'()[],;\"<>\\^`{|}\u00e4\u00df\u20ac\ud83d\ude00\r\n\u0001\u007f";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder key = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                key.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x10000) : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String k = key.toString();
            assertThat(S3Requests.objectPath(k)).as("seed %d, key %s", seed, k).isEqualTo("/" + SdkHttpUtils.urlEncodeIgnoreSlashes(k));
            String listed = SdkHttpUtils.urlEncode(k).replace("%20", "+"); // S3 lists a space as '+'
            assertThat(ListPage.urlDecode(listed)).as("seed %d, key %s", seed, k).isEqualTo(SdkHttpUtils.urlDecode(listed));
            assertThat(decoded(ListPage::urlDecode, k)).as("seed %d, raw %s", seed, k)
                    .isEqualTo(decoded(SdkHttpUtils::urlDecode, k)); // '%' without hex digits: both refuse
        }
    }

    private static String decoded(java.util.function.UnaryOperator<String> decoder, String s) {
        try {
            return decoder.apply(s);
        } catch (IllegalArgumentException e) {
            return "refused";
        }
    }

    @Test
    void aTimestampIsNotReusedAcrossSeconds() {
        SigV4 signer = new SigV4();
        AwsCredentials a = AwsBasicCredentials.create("AKIDEXAMPLE", "one");
        assertThat(signer.sign("GET", "h", "/b/k", "", a, "us-east-1", NOW).date()).isEqualTo("20261121T130102Z");
        assertThat(signer.sign("GET", "h", "/b/k", "", a, "us-east-1", NOW.plusMillis(999)).date()).isEqualTo("20261121T130102Z");
        assertThat(signer.sign("GET", "h", "/b/k", "", a, "us-east-1", NOW.plusMillis(1000)).date()).isEqualTo("20261121T130103Z");
        assertSameAsSdk("GET", "h", "/b/k", "", a, "us-east-1");
    }

    private static void assertSameAsSdk(String method, String host, String path, String query, AwsCredentials credentials,
                                        String region) {
        assertSameAsSdk(method, host, path, query, false, credentials, region);
    }

    private static void assertSameAsSdk(String method, String host, String path, String query, boolean checksumMode,
                                        AwsCredentials credentials, String region) {
        SigV4.Signed ours = new SigV4().sign(method, host, path, query, checksumMode, credentials, region, NOW);
        SdkHttpRequest.Builder builder = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .uri(URI.create((host.contains(":") ? "http://" : "https://") + host + path + (query.isEmpty() ? "" : "?" + query)));
        if (checksumMode) {
            builder.putHeader("x-amz-checksum-mode", "ENABLED");
        }
        SdkHttpRequest request = builder.build();
        SdkHttpRequest sdk = AwsV4HttpSigner.create().sign(r -> r
                .identity(credentials)
                .request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC))
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)).request();
        assertThat(ours.authorization()).isEqualTo(sdk.firstMatchingHeader("Authorization").orElseThrow());
        assertThat(ours.date()).isEqualTo(sdk.firstMatchingHeader("x-amz-date").orElseThrow());
        assertThat(ours.contentSha256()).isEqualTo(sdk.firstMatchingHeader("x-amz-content-sha256").orElseThrow());
        assertThat(ours.securityToken()).isEqualTo(sdk.firstMatchingHeader("x-amz-security-token").orElse(null));
    }
}
