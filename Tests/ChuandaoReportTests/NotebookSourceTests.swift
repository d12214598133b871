import Chuandao
import Testing

@testable import ChuandaoReport

/// Reading a notebook: its blocks, options and old outputs; writing the new outputs in
/// place; splitting a command line without a shell; finding the first stale line.
@Suite struct NotebookSourceTests {
  static let text = """
    ---
    title: "冷与热"
    lang: en
    ---
    # Heading

    Prose.

    ```chuandao
    #| id: funnel
    #| caption: The funnel
    chuandao chart funnel ../datasets/sample \\
      --level unit
    ```

    <!-- chuandao:output -->
    old line 1
    old line 2
    <!-- chuandao:end -->

    More prose.

    ````markdown
    ```chuandao
    chuandao not a block: inside another fence
    ```
    ````

    ```{chuandao}
    chuandao summary ../datasets/sample
    ```
    Tail.
    """

  @Test func readsBlocksOptionsAndOldOutput() throws {
    let nb = try NotebookSource(text: Self.text, file: "nb.md")
    #expect(nb.title == "冷与热")
    #expect(nb.lang == .en)
    #expect(nb.blocks.count == 2)
    let a = nb.blocks[0]
    #expect(a.line == 9)
    #expect(a.commandLine == 12)
    #expect(a.command == "chuandao chart funnel ../datasets/sample --level unit")
    #expect(a.option("id") == "funnel")
    #expect(a.option("caption") == "The funnel")
    #expect(a.options.map(\.line) == [10, 11])
    #expect(a.oldOutput == ["old line 1", "old line 2"])
    #expect(a.oldOutputLine == 17)
    let b = nb.blocks[1]
    #expect(b.line == 29)
    #expect(b.command == "chuandao summary ../datasets/sample")
    #expect(b.oldOutput == nil)
  }

  @Test func assembledReplacesOldOutputAndInsertsNew() throws {
    let nb = try NotebookSource(text: Self.text, file: "nb.md")
    let out = nb.assembled(outputs: [["new A"], ["new B", "", "more B"]])
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // Block 1: fence closes at line 14 (index 13); one blank line, the markers, the output.
    #expect(Array(lines[13...17]) == ["```", "", "<!-- chuandao:output -->", "new A", "<!-- chuandao:end -->"])
    #expect(!out.contains("old line"))
    #expect(out.contains("```\n\n<!-- chuandao:output -->\nnew B\n\nmore B\n<!-- chuandao:end -->\nTail.\n"))
    // Running the assembled text again reads the new outputs back, and assembling with the
    // same outputs gives the same text (a notebook is a fixed point of its own run).
    let again = try NotebookSource(text: out, file: "nb.md")
    #expect(again.blocks.map(\.oldOutput) == [["new A"], ["new B", "", "more B"]])
    #expect(again.assembled(outputs: [["new A"], ["new B", "", "more B"]]) == out)
  }

  @Test func thePageShowsProseCommandsAndOutputsWithoutOptionsOrFrontMatter() throws {
    let nb = try NotebookSource(text: Self.text, file: "nb.md")
    let parts = nb.pageParts(outputs: [["A"], ["B"]])
    #expect(parts == [
      .prose("# Heading\n\nProse.\n"),
      .command("chuandao chart funnel ../datasets/sample --level unit"),
      .output(["A"]),
      .prose("\nMore prose.\n\n````markdown\n```chuandao\nchuandao not a block: inside another fence\n```\n````\n"),
      .command("chuandao summary ../datasets/sample"),
      .output(["B"]),
      .prose("Tail."),
    ])
  }

  @Test func firstDifferenceNamesTheLine() throws {
    let nb = try NotebookSource(text: Self.text, file: "nb.md")
    #expect(nb.firstDifference(block: nb.blocks[0], fresh: ["old line 1", "old line 2"]) == nil)
    let d = try #require(nb.firstDifference(block: nb.blocks[0], fresh: ["old line 1", "changed"]))
    #expect(d.line == 18 && d.old == "old line 2" && d.new == "changed")
    let longer = try #require(nb.firstDifference(block: nb.blocks[0], fresh: ["old line 1", "old line 2", "extra"]))
    #expect(longer.line == 19 && longer.old == nil && longer.new == "extra")
    // No output in the file: the block's own line.
    let none = try #require(nb.firstDifference(block: nb.blocks[1], fresh: ["x"]))
    #expect(none.line == 29)
  }

  @Test func provenanceTimesAreNotCompared() throws {
    let text = "```chuandao\nchuandao summary d\n```\n\n<!-- chuandao:output -->\n    \"generated_at\": \"2026-01-01T00:00:00Z\"\n<!-- chuandao:end -->\n"
    let nb = try NotebookSource(text: text, file: "nb.md")
    #expect(nb.firstDifference(block: nb.blocks[0], fresh: ["    \"generated_at\": \"2026-12-07T10:11:12Z\""]) == nil)
    #expect(nb.firstDifference(block: nb.blocks[0], fresh: ["    \"generated_by\": \"x\""]) != nil)
  }

  @Test func problemsNameTheirLine() {
    func line(_ text: String) -> Int? {
      do {
        _ = try NotebookSource(text: text, file: "nb.md")
        return nil
      } catch {
        return error.line
      }
    }
    #expect(line("a\n```chuandao\nchuandao summary d\n") == 2)  // no closing fence
    #expect(line("```chuandao\n#| id: x\n```\n") == 1)  // no command
    #expect(line("```chuandao\nchuandao summary d\nchuandao trend d\n```\n") == 3)  // two commands
    #expect(line("```chuandao\nchuandao summary d\n#| id: late\n```\n") == 3)  // option after the command
    #expect(line("```chuandao\nchuandao summary d\n```\n<!-- chuandao:output -->\nx\n") == 4)  // unclosed output
    #expect(line("text\n<!-- chuandao:output -->\n") == 2)  // output without a block
    #expect(line("---\nlang: fr\n---\n") == 2)
    #expect(line("---\ntitle: x\n") == 1)
  }

  @Test func wordsAreSplitLikeAShellWithoutOne() throws {
    #expect(try NotebookSource.words("chuandao imbalance 'my data' --level \"单 位\" a\\ b") == [
      "chuandao", "imbalance", "my data", "--level", "单 位", "a b",
    ])
    #expect(try NotebookSource.words("chuandao x \"a\\\"b\" 'c\\d'") == ["chuandao", "x", "a\"b", "c\\d"])
    #expect(try NotebookSource.words("chuandao x '' y") == ["chuandao", "x", "", "y"])
    for bad in ["chuandao x | head", "chuandao x > out", "chuandao x; rm y", "chuandao $(id)", "chuandao `id`", "chuandao x &", "chuandao 'open"] {
      #expect(throws: NotebookSource.WordsProblem.self, "\(bad)") { try NotebookSource.words(bad) }
    }
    // Quoted, the characters are plain words.
    #expect(try NotebookSource.words("chuandao x '|' \">\"") == ["chuandao", "x", "|", ">"])
  }

  @Test func renderingPutsTextInFencesLongerThanItsBackticks() {
    let lines = NotebookRendering.lines([
      .messages("org.csv:3: warning: x\n"), .text("a ``` b\n", info: "text"), .chart(link: "nb_files/f.svg", caption: "A *chart*"),
    ])
    #expect(lines == [
      "```text", "org.csv:3: warning: x", "```", "", "````text", "a ``` b", "````", "", "![A \\*chart\\*](nb_files/f.svg)",
    ])
  }
}
