package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * The region requests are signed for with an endpoint URL: --region, else the SDK's settings and the profile's, else
 * us-east-1. It was us-east-1 whatever $AWS_REGION or the profile said, and a server with a region of its own refused
 * every request (an options walk). Set through the SDK's system properties, as the environment cannot be here.
 */
class S3ClientsRegionTest {
    @TempDir
    Path temp;

    @Test
    void anEndpointTakesTheRegionFromTheSettingsOrTheProfileElseUsEast1() throws Exception {
        S3Settings endpoint = S3Settings.builder().endpoint(URI.create("http://127.0.0.1:9000")).build();
        Path config = Files.writeString(temp.resolve("config"), "[profile walk]\nregion = ap-south-2\n");
        java.util.Map<String, String> saved = new java.util.HashMap<>();
        for (String key : new String[] {"aws.region", "aws.configFile", "aws.sharedCredentialsFile", "aws.profile"}) {
            saved.put(key, System.getProperty(key));
        }
        try {
            // $AWS_REGION comes before the profile, as in the AWS CLI: where it is set, the profile is not reached (the
            // SDK reads no other variable for the region). The shared credentials file is the SDK's profile file
            // too: a region there (~/.aws/credentials) would be found (the review), so it points at none.
            boolean regionInEnvironment = System.getenv("AWS_REGION") != null;
            System.setProperty("aws.configFile", config.toString());
            System.setProperty("aws.sharedCredentialsFile", temp.resolve("no-credentials").toString());
            System.setProperty("aws.profile", "default");
            System.clearProperty("aws.region");
            if (!regionInEnvironment) {
                assertThat(S3Clients.region(endpoint.toBuilder().profile("walk").build())).isEqualTo(Region.of("ap-south-2"));
            }
            System.setProperty("aws.region", "eu-west-3");
            assertThat(S3Clients.region(endpoint)).isEqualTo(Region.EU_WEST_3);
            assertThat(S3Clients.region(endpoint.toBuilder().region("us-west-2").build())).isEqualTo(Region.US_WEST_2);
            System.clearProperty("aws.region");
            System.setProperty("aws.configFile", temp.resolve("none").toString());
            if (!regionInEnvironment) {
                assertThat(S3Clients.region(endpoint)).isEqualTo(Region.US_EAST_1);
            }
        } finally {
            saved.forEach(S3ClientsRegionTest::restore);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
