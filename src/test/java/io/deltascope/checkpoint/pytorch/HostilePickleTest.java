package io.deltascope.checkpoint.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.pytorch.TorchSaveWriter.Pickle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Pickles written to exhaust a reader that walks what it builds: shared references nested deep, a
 * list inside itself, huge names. Each is one short line naming the file, at once.
 */
class HostilePickleTest {
  private static final Duration AT_ONCE = Duration.ofSeconds(10);

  @Test
  void aKeyOfSharedReferencesSixtyDeepIsRefusedAtOnceInOneShortLine() {
    // hashed structurally, 2^60 leaves: it never finished
    Throwable e =
        assertTimeoutPreemptively(AT_ONCE, () -> refusal(TorchSaveWriter.nestedTupleKey(60)));
    assertOneShortLine(e);
    assertThat(e).hasMessageStartingWith("x.bin: state dict key ((((");
  }

  @Test
  void aKeyOfSharedReferencesTwentyDeepIsPreviewedNotPrinted() {
    // printed whole, its 2^20 leaves made a 12.5 MB "line"
    Throwable e =
        assertTimeoutPreemptively(AT_ONCE, () -> refusal(TorchSaveWriter.nestedTupleKey(20)));
    assertOneShortLine(e);
    assertThat(e).hasMessageEndingWith("is not a string");
  }

  @Test
  void aListThatContainsItselfIsNoKey() {
    // hashed, it overflowed the stack: 1,024 lines of StackOverflowError, no file named
    Throwable e = refusal(TorchSaveWriter.selfContainingListKey());
    assertOneShortLine(e);
    assertThat(e)
        .hasMessage("x.bin: data.pkl uses a list as a dict key, which Python cannot hash: refused");
  }

  @Test
  void containersNestedPastTheLimitAreRefused() {
    Pickle p = Pickle.protocol2().op(')');
    for (int i = 0; i < 1_001; i++) {
      p.op(0x85); // TUPLE1
    }
    Throwable e = refusal(p.stop());
    assertOneShortLine(e);
    assertThat(e).hasMessage("x.bin: data.pkl nests containers more than 1000 deep: refused");
  }

  @Test
  void aHugeGlobalNameIsShortenedInTheError() {
    byte[] pickle =
        Pickle.protocol2().str("os").str("x".repeat(1 << 20)).op(0x93).stop(); // STACK_GLOBAL
    Throwable e = refusal(pickle);
    assertOneShortLine(e);
    assertThat(e).hasMessageStartingWith("x.bin: data.pkl asks for the global 'os.xxx");
  }

  @Test
  void aNameWithALineBreakStaysOnOneLine() {
    byte[] pickle = Pickle.protocol2().op('}').str("a\nb").integer(1).op('s').stop();
    Throwable e = refusal(pickle);
    assertOneShortLine(e);
    assertThat(e).hasMessage("x.bin: state dict entry 'a\\nb' is a number, not a tensor");
  }

  @Test
  void aNoneAppendedToAListIsNoCrash() {
    // PROTO 2, EMPTY_DICT, EMPTY_LIST, BINPUT 0, NONE, APPEND, STOP: found by ParsersFuzzTest,
    // it ended in a NullPointerException (List.of refuses null) rather than the refusal
    byte[] pickle = {(byte) 0x80, 2, '}', ']', 'q', 0, 'N', 'a', '.'};
    assertOneShortLine(refusal(pickle));
  }

  private static Throwable refusal(byte[] pickle) {
    Throwable e = catchThrowable(() -> TorchPickle.read("x.bin", pickle));
    assertThat(e).isInstanceOf(CheckpointException.class);
    return e;
  }

  private static void assertOneShortLine(Throwable e) {
    assertThat(e.getMessage()).startsWith("x.bin: ").doesNotContain("\n");
    assertThat(e.getMessage().length()).as(e.getMessage()).isLessThan(240);
  }
}
