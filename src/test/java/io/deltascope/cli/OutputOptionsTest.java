package io.deltascope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one tail every command ends with: where the run went, said without credentials. */
class OutputOptionsTest {

  @Test
  void storesTheRunOnceAndSaysWhereWithoutCredentials() {
    OutputOptions outputs = new OutputOptions();
    outputs.results = "s3a://key:secret@bucket/store";
    outputs.runId = "nightly-1";
    List<String> written = new ArrayList<>();
    StringWriter text = new StringWriter();

    outputs.store(new PrintWriter(text), (store, runId) -> written.add(store + " " + runId));

    assertEquals(List.of("s3a://key:secret@bucket/store nightly-1"), written);
    assertEquals("Results: run nightly-1 in s3a://bucket/store", text.toString().strip());
    assertFalse(text.toString().contains("secret"));
  }

  @Test
  void writesNothingWithoutResults() {
    OutputOptions outputs = new OutputOptions();
    StringWriter text = new StringWriter();

    outputs.store(
        new PrintWriter(text),
        (store, runId) -> {
          throw new AssertionError("no --results, no write");
        });

    assertEquals("", text.toString());
  }
}
