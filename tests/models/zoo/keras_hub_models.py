"""keras_hub backbones of the zoo, built from small configs with random weights (nothing is
downloaded) and exported with Keras 3's `model.export()`: encoders with padding masks (BERT in
keras3_models.py, RoBERTa, XLM-RoBERTa, DistilBERT, ALBERT, DeBERTa v3, ELECTRA), decoders with
causal masks (GPT-2, OPT, Llama, Mistral, Gemma), an encoder-decoder (BART) and a vision
transformer (ViT). EXPORTS lists (zoo name, builder); each builder returns (model, hints).
"""
import keras
import keras_hub

VOCAB = 96
SEQ = 12
TEXT_HINTS = {"token_ids": {"kind": "int", "low": 0, "high": VOCAB},
              "padding_mask": {"kind": "int", "values": [0, 1, 1, 1]},
              "segment_ids": {"kind": "int", "low": 0, "high": 2},
              "encoder_token_ids": {"kind": "int", "low": 0, "high": VOCAB},
              "decoder_token_ids": {"kind": "int", "low": 0, "high": VOCAB},
              "encoder_padding_mask": {"kind": "int", "values": [0, 1, 1, 1]},
              "decoder_padding_mask": {"kind": "int", "values": [0, 1, 1, 1]}}
SMALL = dict(num_layers=2, hidden_dim=16, intermediate_dim=32)


def _seeded(seed, build):
    def builder():
        keras.utils.set_random_seed(seed)
        return build(), dict(TEXT_HINTS)
    builder.__name__ = build.__name__
    return builder


def roberta():
    return keras_hub.models.RobertaBackbone(vocabulary_size=VOCAB, num_heads=2,
                                            max_sequence_length=SEQ, **SMALL)


def xlm_roberta():
    return keras_hub.models.XLMRobertaBackbone(vocabulary_size=VOCAB, num_heads=2,
                                               max_sequence_length=SEQ, **SMALL)


def distil_bert():
    return keras_hub.models.DistilBertBackbone(vocabulary_size=VOCAB, num_heads=2,
                                               max_sequence_length=SEQ, **SMALL)


def albert():
    return keras_hub.models.AlbertBackbone(vocabulary_size=VOCAB, num_heads=2, embedding_dim=8,
                                           num_groups=1, num_inner_repetitions=1,
                                           max_sequence_length=SEQ, **SMALL)


def deberta_v3():
    return keras_hub.models.DebertaV3Backbone(vocabulary_size=VOCAB, num_heads=2,
                                              max_sequence_length=SEQ, bucket_size=4, **SMALL)


def electra():
    return keras_hub.models.ElectraBackbone(vocab_size=VOCAB, num_heads=2, embedding_dim=8,
                                            max_sequence_length=SEQ, **SMALL)


def gpt2():
    return keras_hub.models.GPT2Backbone(vocabulary_size=VOCAB, num_heads=2,
                                         max_sequence_length=SEQ, **SMALL)


def opt():
    return keras_hub.models.OPTBackbone(vocabulary_size=VOCAB, num_heads=2,
                                        max_sequence_length=SEQ, **SMALL)


def llama():
    return keras_hub.models.LlamaBackbone(vocabulary_size=VOCAB, num_query_heads=4,
                                          num_key_value_heads=2, **SMALL)


def mistral():
    return keras_hub.models.MistralBackbone(vocabulary_size=VOCAB, num_query_heads=4,
                                            num_key_value_heads=2, sliding_window=4, **SMALL)


def gemma():
    return keras_hub.models.GemmaBackbone(vocabulary_size=VOCAB, num_query_heads=2,
                                          num_key_value_heads=1, head_dim=8, **SMALL)


def bart():
    return keras_hub.models.BartBackbone(vocabulary_size=VOCAB, num_heads=2,
                                         max_sequence_length=SEQ, **SMALL)


def vit():
    return keras_hub.models.ViTBackbone(image_shape=(32, 32, 3), patch_size=8, num_layers=2,
                                        num_heads=2, hidden_dim=16, mlp_dim=32)


BUILDERS = [roberta, xlm_roberta, distil_bert, albert, deberta_v3, electra, gpt2, opt, llama,
            mistral, gemma, bart, vit]
EXPORTS = [("hub_" + b.__name__, _seeded(300 + i, b)) for i, b in enumerate(BUILDERS)]
