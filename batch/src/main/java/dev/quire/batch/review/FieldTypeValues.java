package dev.quire.batch.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.questions.FieldType;
import dev.quire.web.review.AnswerValues;
import jakarta.enterprise.context.ApplicationScoped;

/** A reviewer's corrected value is parsed by the rules extraction applies to the model's answer. */
@ApplicationScoped
public class FieldTypeValues implements AnswerValues {
    private final ObjectMapper mapper;

    public FieldTypeValues(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Parsed parse(String valueType, String text) {
        Object value;
        if (valueType == null) {
            value = text;
        } else {
            FieldType type;
            try {
                type = FieldType.parse(valueType);
            } catch (IllegalArgumentException e) {
                return new Parsed(null, e.getMessage());
            }
            FieldType.Value v = type.parseValue(text);
            if (!v.ok()) {
                return new Parsed(null, v.error());
            }
            value = v.value();
        }
        try {
            return new Parsed(mapper.writeValueAsString(value), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
