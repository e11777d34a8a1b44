package io.memguard.autofeat;

import io.memguard.autofeat.internal.AutoFeatEngine;
import io.memguard.autofeat.internal.EngineReport;
import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprCodec;
import io.memguard.autofeat.internal.linear.LinearModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The saved-model text format, versions 1 to 3 (docs/autofeat.md, "Saving and loading a model"):
 * version 2 adds the names of a classifier's classes (a {@code class-labels} line), version 3 the
 * categorical columns and their categories ({@code categorical} lines, and a {@code class-labels}
 * line that may list none). Each model is written in the lowest version that holds it, so a model
 * without labels or categories is written as version 1 was. UTF-8 lines of a keyword and values
 * separated by single spaces; names and free text percent-encoded; doubles as {@link
 * Double#toString} writes them (which reads back to the same bits); expressions in {@link
 * ExprCodec}'s prefix notation; a CRC-32 of everything before it on the last line.
 */
final class ModelFile {

  static final String MAGIC = "memguard-autofeat-model";

  /** The newest version this memguard reads and writes. */
  static final int VERSION = 3;

  /** The version of a model with class labels and without categorical columns. */
  static final int VERSION_WITH_LABELS = 2;

  /** The version of a model without class labels or categorical columns. */
  static final int VERSION_WITHOUT_LABELS = 1;

  /** Larger than any model (a few KiB): a bound on what is read from a file that is not one. */
  private static final int MAX_LINE_CHARS = 16 << 20;

  private ModelFile() {}

  /** What a saved model holds. */
  record Parts(
      FittedAutoFeat fitted,
      ProblemType problemType,
      FitReport report,
      FitRows rows,
      List<String> classLabels,
      Categories categories) {}

  static void write(
      FittedAutoFeat fitted,
      ProblemType problemType,
      FitReport report,
      FitRows rows,
      List<String> classLabels,
      Categories categories,
      OutputStream out)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    int version =
        !categories.isEmpty()
            ? VERSION
            : classLabels.isEmpty() ? VERSION_WITHOUT_LABELS : VERSION_WITH_LABELS;
    line(sb, MAGIC + " " + version);
    line(sb, "problem-type " + problemType.name());
    List<String> inputs = fitted.inputNames();
    List<Expr> symbols = AutoFeatEngine.symbols(inputs);
    line(sb, "inputs " + inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      line(sb, "input " + escape(inputs.get(i)) + " " + escape(symbols.get(i).toString()));
    }
    if (version >= VERSION) {
      List<String> columns = categories.columns();
      line(sb, "categorical " + columns.size());
      for (String column : columns) {
        StringBuilder c = new StringBuilder("categorical-column ").append(escape(column));
        List<String> list = categories.categories(column);
        c.append(' ').append(list.size());
        for (String category : list) {
          c.append(' ').append(escape(category));
        }
        line(sb, c.toString());
      }
    }
    List<Expr> features = fitted.features();
    line(sb, "features " + features.size());
    for (Expr e : features) {
      line(sb, "feature " + ExprCodec.encode(e));
    }
    LinearModel model = fitted.model();
    line(
        sb,
        "classes "
            + doubles(problemType == ProblemType.CLASSIFICATION ? model.classes() : new double[0]));
    if (version >= VERSION_WITH_LABELS) {
      StringBuilder labels = new StringBuilder("class-labels ").append(classLabels.size());
      for (String label : classLabels) {
        labels.append(' ').append(escape(label));
      }
      line(sb, labels.toString());
    }
    line(sb, "intercepts " + doubles(model.intercepts()));
    for (double[] row : model.coefficients()) {
      line(sb, "coefficients " + doubles(row));
    }
    line(
        sb,
        "fit "
            + pairs(
                "rows", report.rows(),
                "input-features", report.inputFeatures(),
                "steps", report.featureEngineeringSteps(),
                "selection-runs", report.featureSelectionRuns(),
                "seed", report.seed(),
                "lightweight", report.lightweight(),
                "candidates-computed", report.candidatesComputed(),
                "candidates-accepted", report.candidatesAccepted(),
                "candidates-generated", report.candidatesGenerated(),
                "features-selected", report.featuresSelected(),
                "peak-reserved-bytes", report.peakReservedBytes(),
                "available-bytes-at-start", report.availableBytesAtStart()));
    FitPlan plan = report.plan();
    line(
        sb,
        "plan "
            + pairs(
                "lightweight", plan.lightweight(),
                "float-storage", plan.floatStorage(),
                "rows", plan.rows(),
                "search-rows", plan.searchRows(),
                "recompute-last-step", plan.recomputeLastStep(),
                "max-chunk-width", plan.maxChunkWidth(),
                "initial-fit-all", plan.initialFitAll(),
                "predicted-peak-bytes", plan.predictedPeakBytes(),
                "usable-bytes", plan.usableBytes()));
    EngineReport er = fitted.report();
    line(
        sb,
        "engine "
            + pairs(
                "rows", er.rows(),
                "start-features", er.startFeatures(),
                "steps", er.steps(),
                "proposed", er.proposed(),
                "computed", er.computed(),
                "kept", er.kept(),
                "eligible", er.eligible(),
                "candidates", er.candidates(),
                "voted", er.voted(),
                "selected", er.selected(),
                "peak-store-bytes", er.peakStoreBytes(),
                "generate-nanos", er.generateNanos(),
                "select-nanos", er.selectNanos(),
                "model-nanos", er.modelNanos(),
                "search-rows", er.searchRows()));
    line(
        sb,
        "rows "
            + pairs(
                "source", rows.sourceRows(),
                "sample", rows.sampleRows(),
                "search", rows.searchRows(),
                "final-model", rows.finalModelRows(),
                "skipped", rows.skippedRows()));
    String reason = report.lightweightReason();
    line(sb, "lightweight-reason " + (reason == null ? "-" : escape(reason)));
    line(sb, "decisions " + report.decisions().size());
    for (String d : report.decisions()) {
      line(sb, "decision " + escape(d));
    }
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    out.write(body);
    out.write(
        String.format(Locale.ROOT, "crc32 %08x%n", crc.getValue())
            .replace(System.lineSeparator(), "\n")
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static Parts read(InputStream in) throws IOException {
    Lines lines = new Lines(in);
    String first = lines.next("the first line");
    if (!first.startsWith(MAGIC + " ")) {
      throw new ModelFormatException(
          1,
          "not a saved memguard AutoFeat model: the first line is '"
              + abbreviate(first)
              + "', expected '"
              + MAGIC
              + " "
              + VERSION
              + "'");
    }
    int version = lines.integer(first.substring(MAGIC.length() + 1), "the format version");
    if (version > VERSION || version < 1) {
      throw new ModelFormatException(
          1,
          "the model was saved in format version "
              + version
              + "; this memguard reads versions 1 to "
              + VERSION
              + (version > VERSION
                  ? ": load it with the memguard that saved it, or a newer one"
                  : ""));
    }
    ProblemType problemType;
    String typeName = lines.value("problem-type");
    try {
      problemType = ProblemType.valueOf(typeName);
    } catch (IllegalArgumentException e) {
      throw lines.error("a problem type (REGRESSION or CLASSIFICATION), found '" + typeName + "'");
    }
    int inputCount = lines.count("inputs");
    List<String> inputs = new ArrayList<>(Math.min(inputCount, 1024));
    List<String> symbols = new ArrayList<>(Math.min(inputCount, 1024));
    for (int i = 0; i < inputCount; i++) {
      String[] nameAndSymbol = lines.value("input").split(" ", -1);
      if (nameAndSymbol.length != 2) {
        throw lines.error("an input's name and its name in the features");
      }
      inputs.add(unescape(nameAndSymbol[0], lines));
      symbols.add(unescape(nameAndSymbol[1], lines));
    }
    Categories categories = Categories.none();
    if (version >= VERSION) {
      int columnCount = lines.count("categorical");
      Map<String, List<String>> byColumn = new java.util.LinkedHashMap<>();
      for (int k = 0; k < columnCount; k++) {
        String[] tokens = lines.value("categorical-column").split(" ", -1);
        int n = tokens.length < 2 ? -1 : lines.integer(tokens[1], "a count of categories");
        if (n != tokens.length - 2 || n < 1) {
          throw lines.error("a column's name, its count of categories and each category");
        }
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(unescape(tokens[i + 2], lines));
        }
        if (byColumn.put(unescape(tokens[0], lines), list) != null) {
          throw lines.error("each categorical column once, found '" + tokens[0] + "' again");
        }
      }
      try {
        categories = Categories.of(byColumn);
      } catch (IllegalArgumentException e) {
        throw lines.error("categorical columns that can be read (" + e.getMessage() + ")");
      }
      if (!inputs.containsAll(categories.encodedNames())) {
        throw lines.error("categories whose 0/1 columns are among the inputs");
      }
    }
    int featureCount = lines.count("features");
    List<Expr> features = new ArrayList<>(Math.min(featureCount, 1024));
    for (int k = 0; k < featureCount; k++) {
      String text = lines.value("feature");
      try {
        features.add(ExprCodec.decode(text, symbols));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new ModelFormatException(
            lines.number,
            "line " + lines.number + ": a feature that cannot be read: " + e.getMessage(),
            e);
      }
    }
    double[] classes = lines.doubles("classes");
    List<String> classLabels = List.of();
    if (version >= 2) {
      String[] tokens = lines.value("class-labels").split(" ", -1);
      int n = lines.integer(tokens[0], "a count after 'class-labels'");
      boolean none = n == 0 && version >= VERSION;
      if (n != tokens.length - 1 || (n != classes.length && !none)) {
        throw lines.error(
            classes.length + " class labels, one per class, found " + (tokens.length - 1));
      }
      List<String> read = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        read.add(unescape(tokens[i + 1], lines));
      }
      classLabels = List.copyOf(read);
    }
    double[] intercepts = lines.doubles("intercepts");
    double[][] coefficients = new double[intercepts.length][];
    for (int r = 0; r < intercepts.length; r++) {
      coefficients[r] = lines.doubles("coefficients");
    }
    Map<String, String> fit = lines.pairs("fit");
    Map<String, String> plan = lines.pairs("plan");
    Map<String, String> engine = lines.pairs("engine");
    Map<String, String> rowCounts = lines.pairs("rows");
    String reasonText = lines.value("lightweight-reason");
    String reason = reasonText.equals("-") ? null : unescape(reasonText, lines);
    int decisionCount = lines.count("decisions");
    List<String> decisions = new ArrayList<>(Math.min(decisionCount, 1024));
    for (int i = 0; i < decisionCount; i++) {
      decisions.add(unescape(lines.value("decision"), lines));
    }
    long expected = lines.checksumLine();
    if (expected != lines.crc.getValue()) {
      throw new ModelFormatException(
          lines.number,
          String.format(
              Locale.ROOT,
              "the model file is corrupt: its checksum is %08x but its contents give %08x; save the"
                  + " model again",
              expected,
              lines.crc.getValue()));
    }

    LinearModel model;
    FittedAutoFeat fitted;
    try {
      model =
          problemType == ProblemType.CLASSIFICATION
              ? LinearModel.classifier(classes, coefficients, intercepts)
              : LinearModel.regression(only(coefficients, lines), intercepts[0]);
      fitted =
          FittedAutoFeat.restore(
              inputs,
              features,
              model,
              new EngineReport(
                  lines.integer(engine, "rows"),
                  lines.integer(engine, "start-features"),
                  lines.integer(engine, "steps"),
                  lines.longValue(engine, "proposed"),
                  lines.longValue(engine, "computed"),
                  lines.longValue(engine, "kept"),
                  lines.longValue(engine, "eligible"),
                  lines.integer(engine, "candidates"),
                  lines.integer(engine, "voted"),
                  lines.integer(engine, "selected"),
                  lines.longValue(engine, "peak-store-bytes"),
                  lines.longValue(engine, "generate-nanos"),
                  lines.longValue(engine, "select-nanos"),
                  lines.longValue(engine, "model-nanos"),
                  lines.integer(engine, "search-rows")));
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(
          lines.number,
          "the model's parts do not fit together (read up to line "
              + lines.number
              + "): "
              + e.getMessage(),
          e);
    }
    FitPlan fitPlan =
        new FitPlan(
            lines.bool(plan, "lightweight"),
            lines.bool(plan, "float-storage"),
            lines.integer(plan, "rows"),
            lines.integer(plan, "search-rows"),
            lines.bool(plan, "recompute-last-step"),
            lines.integer(plan, "max-chunk-width"),
            lines.bool(plan, "initial-fit-all"),
            lines.longValue(plan, "predicted-peak-bytes"),
            lines.longValue(plan, "usable-bytes"));
    FitReport report =
        new FitReport(
            problemType,
            lines.integer(fit, "rows"),
            lines.integer(fit, "input-features"),
            lines.integer(fit, "steps"),
            lines.integer(fit, "selection-runs"),
            lines.longValue(fit, "seed"),
            fitPlan,
            lines.bool(fit, "lightweight"),
            reason,
            decisions,
            List.of(),
            lines.longValue(fit, "candidates-computed"),
            lines.longValue(fit, "candidates-accepted"),
            lines.integer(fit, "candidates-generated"),
            lines.integer(fit, "features-selected"),
            fitted.featureNames(),
            List.of(),
            lines.longValue(fit, "peak-reserved-bytes"),
            lines.longValue(fit, "available-bytes-at-start"),
            null);
    FitRows rows =
        new FitRows(
            lines.longValue(rowCounts, "source"),
            lines.longValue(rowCounts, "sample"),
            lines.longValue(rowCounts, "search"),
            lines.longValue(rowCounts, "final-model"),
            lines.longValue(rowCounts, "skipped"));
    return new Parts(fitted, problemType, report, rows, classLabels, categories);
  }

  private static double[] only(double[][] rows, Lines lines) throws ModelFormatException {
    if (rows.length != 1) {
      throw new ModelFormatException(
          lines.number,
          "a regression model has one row of coefficients, this one has " + rows.length);
    }
    return rows[0];
  }

  private static void line(StringBuilder sb, String text) {
    sb.append(text).append('\n');
  }

  private static String doubles(double[] values) {
    StringBuilder sb = new StringBuilder().append(values.length);
    for (double v : values) {
      sb.append(' ').append(v);
    }
    return sb.toString();
  }

  private static String pairs(Object... keyValues) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(keyValues[i]).append('=').append(keyValues[i + 1]);
    }
    return sb.toString();
  }

  /** Percent-encodes '%', whitespace and control characters, so a value is one space-free token. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          || Character.isWhitespace(c)
          || Character.isISOControl(c)
          || c == '\u2028'
          || c == '\u2029'
          || c == '\u00a0') {
        sb.append(String.format(Locale.ROOT, "%%u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.length() == 0 ? "%e" : sb.toString();
  }

  static String unescape(String s, Lines lines) throws ModelFormatException {
    if (s.equals("%e")) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      if (i + 6 > s.length() || s.charAt(i + 1) != 'u') {
        throw lines.error("a '%u' escape with four hex digits");
      }
      try {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
      } catch (NumberFormatException e) {
        throw lines.error("a '%u' escape with four hex digits");
      }
      i += 5;
    }
    return sb.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** Lines read one by one, each added to the running checksum until the checksum line. */
  static final class Lines {
    private final BufferedReader reader;
    final CRC32 crc = new CRC32();
    int number;

    Lines(InputStream in) {
      this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    String next(String expected) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (; ; ) {
        int c = reader.read();
        if (c < 0) {
          if (sb.length() == 0) {
            throw new ModelFormatException(
                number + 1,
                "the model file ends at line "
                    + number
                    + " where "
                    + expected
                    + " should be: it is truncated; save the model again");
          }
          break;
        }
        if (c == '\n') {
          break;
        }
        if (c == '\r') {
          throw new ModelFormatException(
              number + 1,
              "line "
                  + (number + 1)
                  + " ends with a carriage return: the file's line endings were changed (to CRLF);"
                  + " model files end lines with LF only, so copy it as a binary file or save the"
                  + " model again");
        }
        if (sb.length() >= MAX_LINE_CHARS) {
          throw new ModelFormatException(
              number + 1, "line " + (number + 1) + " is longer than any saved model's");
        }
        sb.append((char) c);
      }
      number++;
      String line = sb.toString();
      if (!line.startsWith("crc32 ")) {
        crc.update((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return line;
    }

    /** The rest of the next line, which must start with {@code keyword} and a space. */
    String value(String keyword) throws IOException {
      String line = next("'" + keyword + "'");
      if (!line.startsWith(keyword + " ")) {
        throw error("'" + keyword + " ...', found '" + abbreviate(line) + "'");
      }
      return line.substring(keyword.length() + 1);
    }

    int count(String keyword) throws IOException {
      int n = integer(value(keyword), "a count after '" + keyword + "'");
      if (n < 0) {
        throw error("a count of at least 0 after '" + keyword + "'");
      }
      return n;
    }

    double[] doubles(String keyword) throws IOException {
      String[] tokens = value(keyword).split(" ", -1);
      int n = integer(tokens[0], "a count after '" + keyword + "'");
      if (n != tokens.length - 1) {
        throw error(n + " numbers after '" + keyword + " " + n + "', found " + (tokens.length - 1));
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        try {
          out[i] = Double.parseDouble(tokens[i + 1]);
        } catch (NumberFormatException e) {
          throw error("a number, found '" + abbreviate(tokens[i + 1]) + "'");
        }
      }
      return out;
    }

    Map<String, String> pairs(String keyword) throws IOException {
      Map<String, String> map = new LinkedHashMap<>();
      for (String token : value(keyword).split(" ")) {
        int eq = token.indexOf('=');
        if (eq <= 0) {
          throw error("key=value pairs after '" + keyword + "', found '" + abbreviate(token) + "'");
        }
        map.put(token.substring(0, eq), token.substring(eq + 1));
      }
      map.put("", keyword + ":" + number);
      return map;
    }

    long checksumLine() throws IOException {
      String line = next("the checksum ('crc32 ...')");
      if (!line.startsWith("crc32 ")) {
        throw error("the checksum ('crc32 ...'), found '" + abbreviate(line) + "'");
      }
      try {
        return Long.parseLong(line.substring(6).trim(), 16);
      } catch (NumberFormatException e) {
        throw error("a hexadecimal checksum");
      }
    }

    int integer(String text, String what) throws ModelFormatException {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw error(what + ", found '" + abbreviate(text) + "'");
      }
    }

    int integer(Map<String, String> map, String key) throws ModelFormatException {
      long v = longValue(map, key);
      if (v != (int) v) {
        throw fieldError(map, key, "an int, found " + v);
      }
      return (int) v;
    }

    long longValue(Map<String, String> map, String key) throws ModelFormatException {
      String v = field(map, key);
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw fieldError(map, key, "an integer, found '" + abbreviate(v) + "'");
      }
    }

    boolean bool(Map<String, String> map, String key) throws ModelFormatException {
      String v = field(map, key);
      if (!v.equals("true") && !v.equals("false")) {
        throw fieldError(map, key, "true or false, found '" + abbreviate(v) + "'");
      }
      return v.equals("true");
    }

    private String field(Map<String, String> map, String key) throws ModelFormatException {
      String v = map.get(key);
      if (v == null) {
        throw fieldError(map, key, "a value");
      }
      return v;
    }

    private ModelFormatException fieldError(Map<String, String> map, String key, String expected) {
      String where = map.get("");
      int colon = where.lastIndexOf(':');
      int line = Integer.parseInt(where.substring(colon + 1));
      return new ModelFormatException(
          line,
          "line "
              + line
              + " ('"
              + where.substring(0, colon)
              + "'): expected "
              + expected
              + " for '"
              + key
              + "'");
    }

    ModelFormatException error(String expected) {
      return new ModelFormatException(number, "line " + number + ": expected " + expected);
    }
  }
}
