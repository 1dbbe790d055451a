package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** The fast paths for keys that need no escaping give exactly what the SDK's encoder and decoder give. */
class KeyEncodingTest {

    @Test
    void aKeyIsEncodedAsTheSdkEncodesItWithOrWithoutCharactersToEscape() {
        for (String key : new String[] {"img/00042/photo_1.jpg", "a-b.c_d~e/F9", "a b", "a+b", "a*b", "ä/ö", "%41",
                "x?y=z&w", "k#1", "a//b/", "\r\n", "\u0001", "😀.jpg", ""}) {
            assertThat(S3Requests.objectPath(key)).as(key).isEqualTo("/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        }
    }

    @Test
    void aListedKeyIsDecodedAsTheSdkDecodesIt() {
        for (String key : new String[] {"img/00042/photo_1.jpg", "a+b", "a%20b", "%C3%A4/x", "a%2Bb+c", "~.-_", ""}) {
            assertThat(ListPage.urlDecode(key)).as(key).isEqualTo(SdkHttpUtils.urlDecode(key));
        }
        assertThat(ListPage.urlDecode(null)).isNull();
    }
}
