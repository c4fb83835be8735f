package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.drf.fields.FormData;
import io.taskservice.drf.fields.TaskListInput;
import org.junit.jupiter.api.Test;

class RequestBodyTest {
  @Test
  void anEmptyBodyIsAFormOnlyWhenItsTypeIsExactlyAFormType() {
    // DRF gives an empty QueryDict, whose optional fields read as HTML input, for these only
    assertThat(RequestBody.noData(MediaType.parse("application/x-www-form-urlencoded")))
        .isInstanceOf(FormData.class);
    assertThat(RequestBody.noData(MediaType.parse("Multipart/Form-Data; boundary=x")))
        .isInstanceOf(FormData.class);
    assertThat(RequestBody.noData(MediaType.parse("application/json")))
        .isNotInstanceOf(FormData.class);
    assertThat(RequestBody.noData(MediaType.parse("*/*"))).isNotInstanceOf(FormData.class);
  }

  @Test
  void anEmptyFormIsAnEmptyListForBulkButAnEmptyObjectIsNotAList() {
    assertThat(TaskListInput.validateList(RequestBody.noData(RequestBody.FORM)).errors().toString())
        .contains("This list may not be empty.");
    assertThat(TaskListInput.validateList(RequestBody.noData(RequestBody.JSON)).errors().toString())
        .contains("Expected a list of items but got type \\\"dict\\\".");
  }
}
