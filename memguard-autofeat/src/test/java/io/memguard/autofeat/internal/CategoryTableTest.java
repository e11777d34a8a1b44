package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CategoryTableTest {

  @Test
  void everyCategory_isFoundByStringAndByCharacterRange_andOthersAreNot() {
    List<String> categories = new ArrayList<>(List.of("", "Aa", "BB")); // "Aa" and "BB": one hash
    for (int i = 0; i < 997; i++) {
      categories.add("v" + i);
    }
    CategoryTable table = new CategoryTable(categories);
    for (int c = 0; c < categories.size(); c++) {
      String text = categories.get(c);
      assertThat(table.code(text)).isEqualTo(c);
      char[] padded = ("xx" + text + "yy").toCharArray();
      assertThat(table.code(padded, 2, 2 + text.length())).isEqualTo(c);
    }
    assertThat(table.code("v997")).isEqualTo(-1);
    assertThat(table.code("A")).isEqualTo(-1);
    assertThat(table.code("xAay".toCharArray(), 1, 2)).isEqualTo(-1);
    assertThat(new CategoryTable(List.of("only")).code("")).isEqualTo(-1);
  }
}
