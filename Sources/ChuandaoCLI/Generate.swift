import ArgumentParser
import Chuandao
import Foundation

extension GeneratorSpec.Preset: ExpressibleByArgument {}

struct Generate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("生成带有已知真值（truth.json）的数据集。", "Generate a dataset with planted truth (truth.json). 生成带有已知真值的数据集。"),
    discussion: helpText(help("""
      预设（docs/output.md）：sample 4x5x4 共 5 期，city 20x30x15 共 5 期，province 200x50x20 共 3 期（约 21 万个节点），national 2000x100x25 共 3 期（约 520 万个，流式写出）。--shape 每层一个因子：顶层节点数，然后每个上级的下级数（2 至 6 层）。相同的种子生成逐字节相同的文件。OUT_DIR 中不能已有数据集。

      示例：
        chuandao generate /tmp/city --preset city --seed 7
        chuandao generate /tmp/deep --shape 3x4x3x3x2x2 --periods 4
        chuandao generate /tmp/null --preset city --null --seed 11
      """, """
      Presets (docs/output.md): sample 4x5x4 over 5 periods, city 20x30x15 over 5, province
      200x50x20 over 3 (about 210,000 nodes), national 2000x100x25 over 3 (about 5.2 million,
      written as a stream). --shape gives one factor per level: the number of top-level
      nodes, then children per parent (2 to 6 levels). The same seed gives byte-identical
      files. OUT_DIR must not already hold a dataset.

      Examples:
        chuandao generate /tmp/city --preset city --seed 7
        chuandao generate /tmp/deep --shape 3x4x3x3x2x2 --periods 4
        chuandao generate /tmp/null --preset city --null --seed 11
      """)))

  @Argument(help: optionHelp("要写入的文件夹（不存在时创建；其中不能已有数据集）。", "The folder to write (created if missing; must not hold a dataset)."))
  var outDir: String

  @Option(help: optionHelp("sample、city、province 或 national（默认 sample，除非给出 --shape）。", "sample, city, province or national (default: sample, unless --shape is given)."))
  var preset: GeneratorSpec.Preset?

  @Option(help: optionHelp("每层一个因子，如 20x30x15（覆盖预设的形状）。", "One factor per level, e.g. 20x30x15 (overrides the preset's shape)."))
  var shape: String?

  @Option(help: optionHelp("期数（默认预设的期数，否则 5）。", "Number of periods (default: the preset's, else 5)."))
  var periods: Int?

  @Option(help: optionHelp("随机种子。", "Random seed."))
  var seed: UInt64 = 1

  @Flag(help: optionHelp("不植入任何真值（用于衡量误报率）。", "Plant nothing (for measuring false-flag rates)."))
  var null = false

  @Option(help: optionHelp("消息的语言：zh 或 en。", "Language of messages: zh or en."))
  var lang: Language = .zh

  func validate() throws {
    if let shape, GeneratorSpec.parseShape(shape) == nil {
      throw ValidationError("--shape '\(shape)' must be 2 to 6 positive factors joined by x, e.g. 20x30x15")
    }
  }

  func run() throws {
    var spec = GeneratorSpec.preset(preset ?? .sample, seed: seed, null: null)
    if let shape {
      spec.shape = GeneratorSpec.parseShape(shape)!
      spec.preset = preset == .sample || preset == nil ? nil : preset
      if preset == nil { spec.periods = 5 }
    }
    if let periods { spec.periods = periods }
    if let problem = spec.problem {
      printError(lang.pick("错误：\(problem.zh)", "error: \(problem.en)"))
      throw ExitCode(1)
    }
    let existing = Chuandao.Dataset.knownFiles + ["truth.json"]
    if let clash = existing.first(where: { FileManager.default.fileExists(atPath: (outDir as NSString).appendingPathComponent($0)) }) {
      printError(lang.pick(
        "错误：\(outDir) 中已有 \(clash)；生成器不会覆盖已有文件，请换一个文件夹",
        "error: \(outDir) already holds \(clash); the generator never writes over files, choose another folder"))
      throw ExitCode(1)
    }
    let total = spec.shape[0]
    let interactive = isatty(STDERR_FILENO) != 0
    var lastShown = -1
    do {
      try DatasetGenerator(spec).write(to: outDir) { done, all in
        guard interactive, all >= 20 else { return }
        let percent = done * 100 / all
        if percent != lastShown {
          lastShown = percent
          FileHandle.standardError.write(Data("\r\(lang.pick("生成中", "generating")) \(percent)%".utf8))
        }
      }
    } catch {
      if interactive { printError("") }
      printError(lang.pick("错误：无法写入 \(outDir)：\(error)", "error: cannot write \(outDir): \(error)"))
      throw ExitCode(1)
    }
    if interactive && total >= 20 { printError("") }
    printError(lang.pick(
      "已生成 \(outDir)（\(spec.shape.map(String.init).joined(separator: "x"))，\(spec.periods) 期，种子 \(spec.seed)\(spec.null ? "，不植入效应" : "")）；真值见 truth.json",
      "wrote \(outDir) (\(spec.shape.map(String.init).joined(separator: "x")), \(spec.periods) periods, seed \(spec.seed)\(spec.null ? ", nothing planted" : "")); the planted truth is in truth.json"))
  }
}
