-- The compute precision the engine ran the model in (float32, bfloat16, float16; "server" for a remote engine):
-- part of the engine identity of every answer, since the same weights give different logits at another precision.
ALTER TABLE answer ADD COLUMN precision TEXT;
