// DocketInterop
