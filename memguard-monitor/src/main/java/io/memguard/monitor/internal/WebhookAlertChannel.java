package io.memguard.monitor.internal;

import io.memguard.monitor.AlertChannel;
import io.memguard.monitor.AlertEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs each alert event as JSON ({@link AlertEvent#toJson()}) to a URL with the JDK {@link
 * HttpClient}. Any answer but 2xx, a time-out or a connection failure is a failed delivery (counted
 * by the channel's dispatcher). No retries: the next event is the next chance. Thread-safe.
 */
public final class WebhookAlertChannel implements AlertChannel {
  private final URI uri;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final HttpClient client;

  /** A channel posting to {@code uri}, giving up after {@code timeout}, adding {@code headers}. */
  public WebhookAlertChannel(URI uri, Duration timeout, Map<String, String> headers) {
    this.uri = uri;
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return "webhook " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
  }

  @Override
  public void deliver(AlertEvent event) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(event.toJson(), StandardCharsets.UTF_8));
    headers.forEach(request::header);
    HttpResponse<Void> response =
        client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw new IOException(
          "webhook " + uri + " answered HTTP " + status + " to alert #" + event.alert().id());
    }
  }

  @Override
  public String toString() {
    return "webhook " + uri;
  }
}
