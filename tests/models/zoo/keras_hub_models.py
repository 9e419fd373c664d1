"""keras_hub models of the zoo, built from small configs with random weights (nothing is
downloaded) and exported with Keras 3's `model.export()`: encoders with padding masks (BERT in
keras3_models.py, RoBERTa, XLM-RoBERTa, DistilBERT, ALBERT, DeBERTa v3, ELECTRA, FNet,
RoFormer v2, ESM-2), decoders with causal masks (GPT-2, OPT, Llama, Llama 3, Mistral, Gemma,
Falcon, Phi-3, Qwen, Qwen 3, Mixtral, BLOOM, GPT-NeoX), encoder-decoders (BART, T5, Whisper),
vision backbones (ViT, DINOv2, DeiT, ResNet v1 and v2, CSPDarkNet, DenseNet, VGG, MiT) and task
models without preprocessors (a BERT text classifier, a ResNet image classifier, GPT-2's causal
LM logits). EXPORTS lists (zoo name, builder); each builder returns (model, hints).
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


# More decoders and encoders: gated / parallel blocks, ALiBi, partial rotary, mixture of experts,
# Fourier mixing, relative attention buckets.
def t5():
    return keras_hub.models.T5Backbone(vocabulary_size=VOCAB, num_heads=2, key_value_dim=8,
                                       **SMALL)


def falcon():
    return keras_hub.models.FalconBackbone(vocabulary_size=VOCAB, num_attention_heads=2, **SMALL)


def phi3():
    return keras_hub.models.Phi3Backbone(vocabulary_size=VOCAB, num_query_heads=4,
                                         num_key_value_heads=2, **SMALL)


def qwen():
    return keras_hub.models.QwenBackbone(vocabulary_size=VOCAB, num_query_heads=4,
                                         num_key_value_heads=2, **SMALL)


def qwen3():
    return keras_hub.models.Qwen3Backbone(vocabulary_size=VOCAB, num_query_heads=4,
                                          num_key_value_heads=2, head_dim=4, **SMALL)


def mixtral():
    return keras_hub.models.MixtralBackbone(vocabulary_size=VOCAB, num_query_heads=4,
                                            num_key_value_heads=2, num_experts=4, top_k=2,
                                            sliding_window=4, **SMALL)


def bloom():
    return keras_hub.models.BloomBackbone(vocabulary_size=VOCAB, num_heads=2, **SMALL)


def gpt_neox():
    return keras_hub.models.GPTNeoXBackbone(vocabulary_size=VOCAB, num_heads=2,
                                            max_sequence_length=SEQ, **SMALL)


def llama3():
    return keras_hub.models.Llama3Backbone(vocabulary_size=VOCAB, num_query_heads=4,
                                           num_key_value_heads=2, **SMALL)


def fnet():
    return keras_hub.models.FNetBackbone(vocabulary_size=VOCAB, max_sequence_length=SEQ, **SMALL)


def roformer_v2():
    return keras_hub.models.RoformerV2Backbone(vocabulary_size=VOCAB, num_heads=2, head_size=8,
                                               **SMALL)


def esm2():
    return keras_hub.models.ESM2Backbone(vocabulary_size=VOCAB, num_heads=2,
                                         max_sequence_length=SEQ, **SMALL)


def whisper():
    return keras_hub.models.WhisperBackbone(vocabulary_size=VOCAB, num_heads=2, num_mels=8,
                                            max_encoder_sequence_length=16,
                                            max_decoder_sequence_length=SEQ, **SMALL)


# Vision backbones at 32x32 (64x64 where the downsampling needs it).
def dinov2():
    return keras_hub.models.DINOV2Backbone(patch_size=8, num_layers=2, hidden_dim=16,
                                           num_heads=2, intermediate_dim=32,
                                           image_shape=(32, 32, 3),
                                           position_embedding_shape=(32, 32, 3))


def deit():
    return keras_hub.models.DeiTBackbone(image_shape=(32, 32, 3), patch_size=8, num_layers=2,
                                         num_heads=2, hidden_dim=16, intermediate_dim=32)


def resnet():  # (the first stage must have 64 filters)
    return keras_hub.models.ResNetBackbone(
        input_conv_filters=[8], input_conv_kernel_sizes=[3], stackwise_num_filters=[64, 16],
        stackwise_num_blocks=[1, 1], stackwise_num_strides=[1, 2], block_type="bottleneck_block",
        image_shape=(32, 32, 3))


def resnet_v2():
    return keras_hub.models.ResNetBackbone(
        input_conv_filters=[64], input_conv_kernel_sizes=[3], stackwise_num_filters=[64, 16],
        stackwise_num_blocks=[1, 1], stackwise_num_strides=[1, 2], block_type="basic_block",
        use_pre_activation=True, image_shape=(32, 32, 3))


def csp_darknet():
    return keras_hub.models.CSPNetBackbone(
        stem_filters=8, stem_kernel_size=3, stem_strides=2, stackwise_depth=[1, 1],
        stackwise_strides=[2, 2], stackwise_num_filters=[16, 32], block_type="dark_block",
        stage_type="dark", image_shape=(32, 32, 3))


def densenet():
    return keras_hub.models.DenseNetBackbone(stackwise_num_repeats=[1, 1], growth_rate=4,
                                             image_shape=(32, 32, 3))


def vgg():
    return keras_hub.models.VGGBackbone(stackwise_num_repeats=[1, 1],
                                        stackwise_num_filters=[8, 16], image_shape=(32, 32, 3))


def mit():
    return keras_hub.models.MiTBackbone(
        layerwise_depths=[1, 1], num_layers=2, layerwise_num_heads=[1, 2],
        layerwise_sr_ratios=[2, 1], max_drop_path_rate=0.0, layerwise_patch_sizes=[7, 3],
        layerwise_strides=[4, 2], hidden_dims=[8, 16], image_shape=(32, 32, 3))


# Task models without preprocessors: a classification head on a text and an image backbone, and
# a causal LM's logits.
def bert_text_classifier():
    backbone = keras_hub.models.BertBackbone(vocabulary_size=VOCAB, num_heads=2,
                                             max_sequence_length=SEQ, **SMALL)
    return keras_hub.models.BertTextClassifier(backbone, num_classes=3, preprocessor=None)


def resnet_image_classifier():
    return keras_hub.models.ResNetImageClassifier(resnet(), num_classes=4, preprocessor=None)


def gpt2_causal_lm():
    return keras_hub.models.GPT2CausalLM(gpt2(), preprocessor=None)


BUILDERS = [roberta, xlm_roberta, distil_bert, albert, deberta_v3, electra, gpt2, opt, llama,
            mistral, gemma, bart, vit]
# Appended, so the seeds of the models above stay what they were.
BUILDERS += [t5, falcon, phi3, qwen, qwen3, mixtral, bloom, gpt_neox, llama3, fnet, roformer_v2,
             esm2, whisper, dinov2, deit, resnet, resnet_v2, csp_darknet, densenet, vgg, mit,
             bert_text_classifier, resnet_image_classifier, gpt2_causal_lm]
EXPORTS = [("hub_" + b.__name__, _seeded(300 + i, b)) for i, b in enumerate(BUILDERS)]
